import { strict as assert } from "assert";
import type { IncomingMessage, ServerResponse } from "http";
import { PinstackError } from "../../../lib/errors";
import { MANIFEST_MAX_BYTES, realmTrust, registryTimeoutFromEnv, resolveTag } from "../../../lib/registry";
import { fetchVia, LoopbackServer, manifestFor, sendDripped, sendEndless, sendManifest, startLoopback } from "./support/loopback-registry";

const noCredentials = () => undefined;
const credentials = () => ({ username: "ci", password: "tok3n" });
const basic = `Basic ${Buffer.from("ci:tok3n").toString("base64")}`;

/** A refusal (exit 1) whose message matches every pattern. */
function refusedWith(...patterns: RegExp[]) {
    return (err: unknown) => {
        assert.ok(err instanceof PinstackError, `not a PinstackError: ${(err as Error)?.stack ?? String(err)}`);
        assert.equal(err.exitCode, 1, err.message);
        for (const pattern of patterns) assert.match(`${err.message}\n${err.why ?? ""}`, pattern);
        return true;
    };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Registries that lie: every answer pinstack would pin is checked (digest of the bytes, media
 * type, size, time, where redirects and credentials go), against a loopback server that says
 * what each test needs it to.
 */
describe("registry client: an answer is pinned only when it can be trusted", function () {
    this.timeout(30_000);
    const manifest = manifestFor("app 1.2.3");
    const other = manifestFor("something else");
    let registry: LoopbackServer;
    let elsewhere: LoopbackServer;
    const image = () => `${registry.host}/org/app`;

    beforeEach(async () => {
        registry = await startLoopback((req, res) => sendManifest(req, res, manifest));
        // Another host name on the loopback: a different host as far as the client can tell.
        elsewhere = await startLoopback((req, res) => sendManifest(req, res, other), "localhost");
    });
    afterEach(async () => {
        await registry.stop();
        await elsewhere.stop();
    });

    describe("the digest", () => {
        it("is the sha256 of the bytes received, fetched with GET (a HEAD gives only the registry's claim)", async () => {
            const resolved = await resolveTag(image(), "1.2.3", { credentials: noCredentials });
            assert.equal(resolved.digest, manifest.digest);
            assert.deepEqual(
                registry.requests.map((r) => `${r.method} ${r.url}`),
                ["GET /v2/org/app/manifests/1.2.3"],
            );
        });

        it("refuses a Docker-Content-Digest that is not the hash of the manifest sent, naming the image and both digests", async () => {
            registry.handler = (req, res) => sendManifest(req, res, manifest, other.digest);
            await assert.rejects(
                resolveTag(image(), "1.2.3", { credentials: noCredentials }),
                refusedWith(new RegExp(escape(`${image()}:1.2.3`)), /cannot be trusted/, new RegExp(escape(other.digest)), new RegExp(escape(manifest.digest))),
            );
        });

        it("resolving by digest, refuses a manifest that hashes to another digest than the one asked for (with or without a matching claim)", async () => {
            registry.handler = (req, res) => sendManifest(req, res, other, manifest.digest);
            await assert.rejects(resolveTag(image(), manifest.digest, { credentials: noCredentials }), refusedWith(/cannot be trusted/, new RegExp(escape(other.digest))));
            // The claim agrees with the bytes, but they are not what was asked for.
            registry.handler = (req, res) => sendManifest(req, res, other);
            await assert.rejects(
                resolveTag(image(), manifest.digest, { credentials: noCredentials }),
                refusedWith(new RegExp(escape(`${image()}@${manifest.digest}`)), new RegExp(`asked for ${escape(manifest.digest)}, but the manifest it sent hashes to ${escape(other.digest)}`)),
            );
            assert.equal(registry.requests[registry.requests.length - 1].url, `/v2/org/app/manifests/${manifest.digest}`);
            registry.handler = (req, res) => sendManifest(req, res, manifest);
            assert.equal((await resolveTag(image(), manifest.digest, { credentials: noCredentials })).digest, manifest.digest);
        });

        it("refuses a digest reference that is not sha256", async () => {
            await assert.rejects(resolveTag(image(), `sha512:${"a".repeat(128)}`, { credentials: noCredentials }), refusedWith(/sha256 digests only/));
            assert.equal(registry.requests.length, 0);
        });
    });

    describe("the body", () => {
        it("refuses an HTML page served with status 200, without reading it", async () => {
            // The page never ends: a client that read it before looking at its type would wait for the deadline.
            registry.handler = (_req, res) => {
                res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Content-Length": "100000" });
                res.write("<!doctype html><html><body>Please sign in.");
            };
            const started = Date.now();
            await assert.rejects(
                resolveTag(image(), "1.2.3", { credentials: noCredentials, timeoutMs: 10_000 }),
                refusedWith(new RegExp(escape(`the registry ${registry.host} answered ${image()}:1.2.3 with Content-Type text/html; charset=utf-8, not an image manifest`))),
            );
            assert.ok(Date.now() - started < 5000, "the page was read before its type was checked");
        });

        it("refuses a body that is not what its manifest Content-Type says (not JSON, wrong schemaVersion, another mediaType)", async () => {
            const lies: [Buffer, RegExp][] = [
                [Buffer.from("<html>not json</html>"), /it is not JSON/],
                [Buffer.from(JSON.stringify({ schemaVersion: 1, name: "org/app" })), /schemaVersion is 1, not 2/],
                [Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: "text/html" })), /its mediaType is "text\/html"/],
            ];
            for (const [bytes, pattern] of lies) {
                registry.handler = (req, res) => sendManifest(req, res, { bytes, digest: manifestFor("x").digest, mediaType: "application/vnd.oci.image.manifest.v1+json" }, null);
                await assert.rejects(resolveTag(image(), "1.2.3", { credentials: noCredentials }), refusedWith(pattern));
            }
        });

        it("refuses a body over 4 MiB declared by Content-Length, and stops reading an undeclared one soon after 4 MiB", async () => {
            registry.handler = (_req, res) => {
                res.writeHead(200, { "Content-Type": "application/vnd.oci.image.manifest.v1+json", "Content-Length": String(MANIFEST_MAX_BYTES + 1) });
                res.write(Buffer.alloc(1024, 0x20));
            };
            await assert.rejects(resolveTag(image(), "1.2.3", { credentials: noCredentials }), refusedWith(/more than 4 MiB/, /Content-Length 4194305 bytes/));

            let endless: { sent: () => number } | undefined;
            registry.handler = (_req, res) => (endless = sendEndless(res, 1024 * 1024 * 1024));
            const started = Date.now();
            await assert.rejects(resolveTag(image(), "1.2.3", { credentials: noCredentials }), refusedWith(/more than 4 MiB/, new RegExp(escape(`${image()}:1.2.3`))));
            await new Promise((r) => setTimeout(r, 200));
            // What sat in socket buffers when the client hung up, not the gigabyte offered.
            assert.ok((endless?.sent() ?? 0) < 32 * 1024 * 1024, `the server sent ${endless?.sent()} bytes`);
            assert.ok(Date.now() - started < 10_000);
        });

        it("ends a body dripped byte by byte in a refusal when the resolution's time is up", async () => {
            registry.handler = (_req, res) => sendDripped(res, manifest, 100);
            const started = Date.now();
            await assert.rejects(resolveTag(image(), "1.2.3", { credentials: noCredentials, timeoutMs: 1500 }), refusedWith(new RegExp(`the registry ${escape(registry.host)} did not finish answering for ${escape(image())}:1\\.2\\.3 within 1\\.5 s`)));
            const took = Date.now() - started;
            assert.ok(took >= 1400 && took < 5000, `took ${took} ms`);
        });

        it("ends in a refusal when the headers never come", async () => {
            registry.handler = () => undefined;
            await assert.rejects(resolveTag(image(), "1.2.3", { credentials: noCredentials, timeoutMs: 800 }), refusedWith(/did not finish answering .* within 0\.8 s/));
        });

        it("reads PINSTACK_REGISTRY_TIMEOUT in seconds, and refuses a value that is not a positive number (exit 2)", () => {
            assert.equal(registryTimeoutFromEnv({}), 30_000);
            assert.equal(registryTimeoutFromEnv({ PINSTACK_REGISTRY_TIMEOUT: "2.5" }), 2500);
            for (const bad of ["0", "-1", "soon", "Infinity"]) {
                assert.throws(() => registryTimeoutFromEnv({ PINSTACK_REGISTRY_TIMEOUT: bad }), (e: unknown) => e instanceof PinstackError && e.exitCode === 2 && /PINSTACK_REGISTRY_TIMEOUT/.test(e.message));
            }
        });
    });

    describe("redirects", () => {
        it("does not follow a redirect to another host, and sends it nothing", async () => {
            registry.handler = (req, res) => res.writeHead(307, { Location: `${elsewhere.origin}${req.url}` }).end();
            await assert.rejects(
                resolveTag(image(), "1.2.3", { credentials: noCredentials }),
                refusedWith(new RegExp(escape(`${image()}:1.2.3`)), new RegExp(`${escape(registry.origin)} redirected to ${escape(elsewhere.origin)}`), /only within the origin/),
            );
            assert.deepEqual(elsewhere.requests, []);
        });

        it("follows a redirect within the registry's origin, keeping the credentials there", async () => {
            registry.handler = (req, res) => {
                if (!req.headers.authorization) res.writeHead(401, { "WWW-Authenticate": 'Basic realm="r"' }).end();
                else if (req.url === "/v2/org/app/manifests/1.2.3") res.writeHead(302, { Location: "/v2/org/app/manifests/sha256-elsewhere" }).end();
                else sendManifest(req, res, manifest);
            };
            assert.equal((await resolveTag(image(), "1.2.3", { credentials })).digest, manifest.digest);
            assert.deepEqual(
                registry.requests.map((r) => [r.url, r.authorization]),
                [
                    ["/v2/org/app/manifests/1.2.3", undefined],
                    ["/v2/org/app/manifests/1.2.3", basic],
                    ["/v2/org/app/manifests/sha256-elsewhere", basic],
                ],
            );
        });

        it("stops after five redirects", async () => {
            registry.handler = (req, res) => res.writeHead(302, { Location: `${req.url}x` }).end();
            await assert.rejects(resolveTag(image(), "1.2.3", { credentials: noCredentials }), refusedWith(/more than 5 redirects/));
        });
    });

    describe("credentials and token realms", () => {
        it("refuses a token realm on another host over plain http, and sends it nothing", async () => {
            registry.handler = (_req, res) => res.writeHead(401, { "WWW-Authenticate": `Bearer realm="${elsewhere.origin}/token",service="reg"` }).end();
            await assert.rejects(
                resolveTag(image(), "1.2.3", { credentials }),
                refusedWith(new RegExp(`the registry ${escape(registry.host)} sent pinstack to a token service pinstack will not ask: ${escape(elsewhere.origin)}`), /plain http on another host/),
            );
            assert.deepEqual(elsewhere.requests, []);
        });

        it("a loopback registry's own host may serve its token over http, with the credentials", async () => {
            registry.handler = (req, res) => {
                if (req.url?.startsWith("/token")) res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ token: "T" }));
                else if (req.headers.authorization !== "Bearer T") res.writeHead(401, { "WWW-Authenticate": `Bearer realm="${registry.origin}/token",service="reg"` }).end();
                else sendManifest(req, res, manifest);
            };
            assert.equal((await resolveTag(image(), "1.2.3", { credentials })).digest, manifest.digest);
            assert.equal(registry.requests.find((r) => r.url.startsWith("/token"))?.authorization, basic);
        });

        // The https cases: the names below are routed to the loopback servers as /etc/hosts
        // would, so the client decides on real names and schemes while real servers answer.
        const tokenThenManifest = (realm: string) => (req: IncomingMessage, res: ServerResponse) => {
            if (req.headers.authorization !== "Bearer T") res.writeHead(401, { "WWW-Authenticate": `Bearer realm="${realm}",service="reg"` }).end();
            else sendManifest(req, res, manifest);
        };
        const tokenService = (req: IncomingMessage, res: ServerResponse) =>
            req.url?.startsWith("/token") ? res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ token: "T" })) : res.writeHead(404).end();

        it("asks a token realm on another https host without the credentials", async () => {
            registry.handler = tokenThenManifest("https://auth.elsewhere.example/token");
            elsewhere.handler = tokenService;
            const resolved = await resolveTag("registry.example/org/app", "1.2.3", {
                credentials,
                fetch: fetchVia({ "registry.example": registry.origin, "auth.elsewhere.example": elsewhere.origin }),
            });
            assert.equal(resolved.digest, manifest.digest);
            assert.equal(elsewhere.requests.length, 1);
            assert.equal(elsewhere.requests[0].authorization, undefined, "credentials went to another host");
        });

        it("says why when a token realm on another host refuses without the credentials", async () => {
            registry.handler = tokenThenManifest("https://auth.elsewhere.example/token");
            elsewhere.handler = (_req, res) => res.writeHead(401).end();
            await assert.rejects(
                resolveTag("registry.example/org/app", "1.2.3", { credentials, fetch: fetchVia({ "registry.example": registry.origin, "auth.elsewhere.example": elsewhere.origin }) }),
                refusedWith(/refused a pull token for registry\.example\/org\/app:1\.2\.3/, /sends credentials only to the registry's own host/),
            );
        });

        it("sends the credentials to the registry's own host over https, and to auth.docker.io for Docker Hub", async () => {
            const ownHost = tokenThenManifest("https://registry.example/token");
            registry.handler = (req, res) => (req.url?.startsWith("/token") ? tokenService(req, res) : ownHost(req, res));
            await resolveTag("registry.example/org/app", "1.2.3", { credentials, fetch: fetchVia({ "registry.example": registry.origin }) });
            assert.equal(registry.requests.find((r) => r.url.startsWith("/token"))?.authorization, basic);

            registry.handler = tokenThenManifest("https://auth.docker.io/token");
            elsewhere.handler = tokenService;
            await resolveTag("library/nginx", "1.25", { credentials, fetch: fetchVia({ "registry-1.docker.io": registry.origin, "auth.docker.io": elsewhere.origin }) });
            assert.equal(elsewhere.requests[0].authorization, basic);
        });

        it("refuses a plain-http realm for an https registry, even on its own host", async () => {
            registry.handler = tokenThenManifest("http://registry.example/token");
            const seen: URL[] = [];
            await assert.rejects(
                resolveTag("registry.example/org/app", "1.2.3", { credentials, fetch: fetchVia({ "registry.example": registry.origin }, seen) }),
                refusedWith(/token service pinstack will not ask: http:\/\/registry\.example/, /plain http/),
            );
            assert.deepEqual(seen.map((u) => u.protocol), ["https:"]);
        });

        it("realmTrust: https anywhere (credentials only to the same host or Docker Hub's auth), http only on a loopback registry's own host", () => {
            assert.deepEqual(realmTrust("https://ghcr.io", new URL("https://ghcr.io/token")), { ok: true, credentials: true });
            assert.deepEqual(realmTrust("https://ghcr.io", new URL("https://ghcr.io:8443/token")), { ok: true, credentials: true });
            assert.deepEqual(realmTrust("https://ghcr.io", new URL("https://evil.example/token")), { ok: true, credentials: false });
            assert.deepEqual(realmTrust("https://registry-1.docker.io", new URL("https://auth.docker.io/token")), { ok: true, credentials: true });
            assert.deepEqual(realmTrust("https://registry.example", new URL("https://auth.docker.io/token")), { ok: true, credentials: false });
            assert.deepEqual(realmTrust("http://127.0.0.1:5000", new URL("http://127.0.0.1:5001/token")), { ok: true, credentials: true });
            for (const [base, realm] of [
                ["http://127.0.0.1:5000", "http://localhost:5000/token"],
                ["http://127.0.0.1:5000", "http://evil.example/token"],
                ["https://ghcr.io", "http://ghcr.io/token"],
                ["https://ghcr.io", "ftp://ghcr.io/token"],
            ]) {
                assert.equal(realmTrust(base, new URL(realm)).ok, false, `${base} -> ${realm}`);
            }
        });
    });
});
