import { strict as assert } from "assert";
import type { IncomingMessage, ServerResponse } from "http";
import { renderLedger } from "../../lib/ledger";
import { digest, productionYaml, stagingYaml } from "../unit/promote/support/project";
import { LoopbackServer, manifestFor, sendDripped, sendEndless, sendManifest, startLoopback } from "../unit/promote/support/loopback-registry";
import { deployedFile, fakePulumi, FakePulumi } from "./fake-pulumi";
import { ensureBuilt, removeTempProjects, runPinstackAsync, snapshot, tempProject, TempProject } from "./helpers";

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * `pinstack promote` against a registry that lies (a loopback server in this process):
 * each lie is a refusal (exit 1) naming the image and what was wrong, the stack file and
 * pinstack.ledger.json stay byte-identical, and once the registry tells the truth the same
 * promotion goes through with no "tag moved": nothing of the lie was recorded.
 */
describe("pinstack promote against a registry that lies (process)", function () {
    this.timeout(120_000);
    const backend = manifestFor("backend 2023.05.1");
    let registry: LoopbackServer;
    let elsewhere: LoopbackServer;
    let pulumi: FakePulumi;
    let project: TempProject;
    const image = () => `${registry.host}/example/backend`;
    const honest = (req: IncomingMessage, res: ServerResponse) => {
        if (req.url === "/v2/example/backend/manifests/2023.05.1") sendManifest(req, res, backend);
        else res.writeHead(404).end();
    };

    before(ensureBuilt);
    before(async () => {
        registry = await startLoopback(honest);
        elsewhere = await startLoopback((req, res) => sendManifest(req, res, manifestFor("an image from elsewhere")), "localhost");
    });
    after(async () => {
        await registry?.stop();
        await elsewhere?.stop();
        removeTempProjects();
    });
    beforeEach(() => {
        registry.handler = honest;
        project = tempProject({
            "Pulumi.yaml": "name: pinstack\nruntime: nodejs\n",
            "Pulumi.staging.yaml": stagingYaml({ registry: registry.host }),
            "Pulumi.production.yaml": productionYaml({ registry: registry.host }),
            // A ledger already there (production's frontend pin), so "byte-identical" means something.
            "pinstack.ledger.json": renderLedger({
                version: 1,
                tags: { [`${registry.host}/example/frontend:2023.04.3`]: { digest: digest("9"), at: "2023-05-02T09:30:00Z", by: "release-manager@example.org", stack: "production", from: "staging" } },
            }),
        });
        pulumi = fakePulumi();
        pulumi.setHistory("staging", [deployedFile(project.file("Pulumi.staging.yaml"), { minutesAgo: 120, message: "deploy staging" })]);
    });
    afterEach(() => pulumi.remove());

    const promote = (env: NodeJS.ProcessEnv = {}) =>
        runPinstackAsync(["promote", "staging", "production", "--service", "backend", "--reason", "Release 2023.05.1"], { cwd: project.dir, env: { ...pulumi.env, PINSTACK_ACTOR: "ci@example.org", ...env } });

    /** The lie is refused with `pattern`, nothing changes; then the truth promotes cleanly. */
    async function refusedThenHonest(pattern: () => RegExp, env: NodeJS.ProcessEnv = {}): Promise<number> {
        const before = snapshot(project.dir);
        const lied = await promote(env);
        assert.equal(lied.code, 1, `exit ${lied.code}\n${lied.stdout}${lied.stderr}`);
        assert.match(lied.stderr, pattern());
        assert.doesNotMatch(lied.stderr, /internal error/);
        assert.deepEqual(snapshot(project.dir), before, "a refused promotion changed a file");

        registry.handler = honest;
        const truth = await promote();
        assert.equal(truth.code, 0, truth.stderr);
        assert.doesNotMatch(truth.stdout + truth.stderr, /tag moved/);
        const ledger = JSON.parse(project.read("pinstack.ledger.json")) as { tags: Record<string, { digest: string }> };
        assert.equal(ledger.tags[`${image()}:2023.05.1`].digest, backend.digest);
        assert.equal(ledger.tags[`${registry.host}/example/frontend:2023.04.3`].digest, digest("9"));
        assert.match(project.read("Pulumi.production.yaml"), new RegExp(`digest: ${escape(backend.digest)}`));
        return lied.ms;
    }

    it("a Docker-Content-Digest that is not the hash of the manifest is refused, naming the image and both digests", async () => {
        const lie = digest("e");
        registry.handler = (req, res) => sendManifest(req, res, backend, lie);
        await refusedThenHonest(() => new RegExp(`${escape(image())}:2023\\.05\\.1: it claims Docker-Content-Digest ${escape(lie)}, but the manifest it sent hashes to ${escape(backend.digest)}`));
    });

    it("an HTML page with status 200 is refused, not pinned", async () => {
        registry.handler = (_req, res) => res.writeHead(200, { "Content-Type": "text/html" }).end("<html><body>Sign in to continue</body></html>");
        await refusedThenHonest(() => new RegExp(`the registry ${escape(registry.host)} answered ${escape(image())}:2023\\.05\\.1 with Content-Type text/html, not an image manifest`));
    });

    it("an endless body is refused past 4 MiB", async () => {
        registry.handler = (_req, res) => void sendEndless(res, 2 * 1024 * 1024 * 1024);
        await refusedThenHonest(() => new RegExp(`the registry ${escape(registry.host)} sent more than 4 MiB for ${escape(image())}:2023\\.05\\.1`));
    });

    it("a body dripped byte by byte is refused when PINSTACK_REGISTRY_TIMEOUT is up (exit 1, not an internal error)", async () => {
        registry.handler = (_req, res) => sendDripped(res, backend, 50);
        const ms = await refusedThenHonest(() => new RegExp(`the registry ${escape(registry.host)} did not finish answering for ${escape(image())}:2023\\.05\\.1 within 2 s`), { PINSTACK_REGISTRY_TIMEOUT: "2" });
        assert.ok(ms < 15_000, `promote took ${ms} ms`);
    });

    it("a redirect to another host is refused, and that host is not asked", async () => {
        registry.handler = (req, res) => res.writeHead(302, { Location: `${elsewhere.origin}${req.url}` }).end();
        await refusedThenHonest(() => new RegExp(`redirected the request for ${escape(image())}:2023\\.05\\.1 away \\(${escape(registry.origin)} redirected to ${escape(elsewhere.origin)}\\)`));
        assert.deepEqual(elsewhere.requests, []);
    });

    it("a token realm on another host over plain http is refused, and gets no credentials", async () => {
        registry.handler = (_req, res) => res.writeHead(401, { "WWW-Authenticate": `Bearer realm="${elsewhere.origin}/token",service="registry"` }).end();
        await refusedThenHonest(() => new RegExp(`the registry ${escape(registry.host)} sent pinstack to a token service pinstack will not ask: ${escape(elsewhere.origin)}`), {
            PINSTACK_REGISTRY_USERNAME: "ci",
            PINSTACK_REGISTRY_PASSWORD: "s3cret",
        });
        assert.deepEqual(elsewhere.requests, []);
    });

    it("exit 2 for a PINSTACK_REGISTRY_TIMEOUT that is not a number of seconds, nothing written", async () => {
        const before = snapshot(project.dir);
        const bad = await promote({ PINSTACK_REGISTRY_TIMEOUT: "soon" });
        assert.equal(bad.code, 2, bad.stderr);
        assert.match(bad.stderr, /PINSTACK_REGISTRY_TIMEOUT must be a number of seconds greater than 0, not 'soon'/);
        assert.deepEqual(snapshot(project.dir), before);
    });
});
