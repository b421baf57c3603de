import { strict as assert } from "assert";
import { createHash } from "crypto";
import * as http from "http";
import { AddressInfo } from "net";
import { PinstackError } from "../../../lib/errors";
import { MANIFEST_TYPES, normaliseHost, parseChallenge, registryEndpoint, resolveTag } from "../../../lib/registry";

/**
 * The bearer-token flow (Docker Hub, ghcr.io, ECR): an in-process registry that answers 401
 * with a Bearer challenge, and a token service. The real-registry tests (tests/e2e/registry)
 * cover anonymous and basic auth against docker-registry itself.
 */
describe("registry client: endpoints, challenges and the bearer token flow", () => {
    it("maps image names to API endpoints: Docker Hub's host, library/, http only for loopback", () => {
        assert.deepEqual(registryEndpoint("nginx"), { registry: "docker.io", base: "https://registry-1.docker.io", repository: "library/nginx" });
        assert.deepEqual(registryEndpoint("bitnami/redis"), { registry: "docker.io", base: "https://registry-1.docker.io", repository: "bitnami/redis" });
        assert.deepEqual(registryEndpoint("ghcr.io/org/app"), { registry: "ghcr.io", base: "https://ghcr.io", repository: "org/app" });
        assert.equal(registryEndpoint("127.0.0.1:5000/org/app").base, "http://127.0.0.1:5000");
        assert.equal(registryEndpoint("localhost:5000/app").base, "http://localhost:5000");
        assert.equal(registryEndpoint("registry.internal:5000/app").base, "https://registry.internal:5000");
    });

    it("parses WWW-Authenticate challenges (quoted values with commas and escapes)", () => {
        assert.deepEqual(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"'), {
            scheme: "bearer",
            params: { realm: "https://auth.docker.io/token", service: "registry.docker.io", scope: "repository:library/nginx:pull" },
        });
        assert.deepEqual(parseChallenge('Basic realm="a \\"b\\", c"'), { scheme: "basic", params: { realm: 'a "b", c' } });
    });

    it("normalises docker config keys", () => {
        assert.equal(normaliseHost("https://index.docker.io/v1/"), "docker.io");
        assert.equal(normaliseHost("http://127.0.0.1:5000"), "127.0.0.1:5000");
        assert.equal(normaliseHost("GHCR.io"), "ghcr.io");
    });

    describe("against a fake registry with a token service", () => {
        const manifest = Buffer.from('{"schemaVersion":2}');
        const digest = `sha256:${createHash("sha256").update(manifest).digest("hex")}`;
        let server: http.Server;
        let base: string;
        let requests: { method: string; url: string; authorization?: string; accept?: string }[];
        let sendDigestHeader: boolean;
        before(async () => {
            server = http.createServer((req, res) => {
                requests.push({ method: req.method ?? "", url: req.url ?? "", authorization: req.headers.authorization, accept: req.headers.accept });
                if (req.url?.startsWith("/token")) {
                    const url = new URL(req.url, base);
                    if (req.headers.authorization !== `Basic ${Buffer.from("ci:tok3n").toString("base64")}`) {
                        res.writeHead(401).end();
                        return;
                    }
                    res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ token: `T:${url.searchParams.get("scope")}:${url.searchParams.get("service")}` }));
                    return;
                }
                if (req.headers.authorization !== "Bearer T:repository:org/app:pull:fake-registry") {
                    res.writeHead(401, { "WWW-Authenticate": `Bearer realm="${base}/token",service="fake-registry",scope="repository:org/app:pull"` }).end();
                    return;
                }
                if (req.url !== "/v2/org/app/manifests/1.2.3") {
                    res.writeHead(404).end();
                    return;
                }
                const headers: Record<string, string> = { "Content-Type": "application/vnd.oci.image.manifest.v1+json" };
                if (sendDigestHeader) headers["Docker-Content-Digest"] = digest;
                res.writeHead(200, headers);
                res.end(req.method === "GET" ? manifest : undefined);
            });
            await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
            base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        });
        beforeEach(() => {
            requests = [];
            sendDigestHeader = true;
        });
        after(() => new Promise<void>((resolve) => server.close(() => resolve())));
        const image = () => `${base.replace("http://", "")}/org/app`;
        const credentials = () => ({ username: "ci", password: "tok3n" });

        it("GET with every manifest type in Accept; 401 -> token (basic creds, scope, service) -> GET with Bearer", async () => {
            const resolved = await resolveTag(image(), "1.2.3", { credentials });
            assert.equal(resolved.digest, digest);
            assert.deepEqual(
                requests.map((r) => `${r.method} ${r.url.replace(/\?.*$/, "")}`),
                ["GET /v2/org/app/manifests/1.2.3", "GET /token", "GET /v2/org/app/manifests/1.2.3"],
            );
            assert.equal(requests[0].accept, MANIFEST_TYPES.join(", "));
            assert.equal(requests[0].authorization, undefined, "credentials sent before the registry asked");
            assert.match(requests[1].url, /scope=repository%3Aorg%2Fapp%3Apull/);
            assert.match(requests[1].url, /service=fake-registry/);
        });

        it("hashes the manifest when the registry sends no Docker-Content-Digest", async () => {
            sendDigestHeader = false;
            assert.equal((await resolveTag(image(), "1.2.3", { credentials })).digest, digest);
            assert.equal(requests[requests.length - 1].method, "GET");
        });

        it("refuses when the token service refuses, and for an unknown tag", async () => {
            await assert.rejects(resolveTag(image(), "1.2.3", { credentials: () => ({ username: "ci", password: "nope" }) }), (e: unknown) => e instanceof PinstackError && e.exitCode === 1 && /refused a pull token/.test(e.message));
            await assert.rejects(resolveTag(image(), "9.9.9", { credentials }), (e: unknown) => e instanceof PinstackError && e.exitCode === 1 && /has no/.test(e.message));
        });
    });
});
