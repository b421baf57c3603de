import { strict as assert } from "assert";
import { readStackFile } from "../../lib/config";
import { keyDigestOf } from "../../lib/signing";
import { productionYaml, stagingYaml } from "../unit/promote/support/project";
import { deployedFile, fakePulumi, FakePulumi } from "./fake-pulumi";
import { ensureBuilt, jsonLines, removeTempProjects, runPinstack, snapshot, tempProject, TempProject } from "./helpers";
import { pushImage, RunningRegistry, startRegistry } from "../e2e/support/registry";
import { keyPair, pushSignature } from "../support/signatures";

/**
 * Signed images end to end through the CLI: a real docker-registry on 127.0.0.1, signatures in
 * cosign's classic format made with node's crypto (tests/e2e signs with cosign itself), and
 * `pinstack promote`, `check` and `verify-image --signatures` as processes.
 */
describe("pinstack: only signed images reach production (process)", function () {
    this.timeout(180_000);
    let registry: RunningRegistry;
    let pulumi: FakePulumi;
    let project: TempProject;
    let host: string;
    const ci = keyPair();
    const stranger = keyPair();
    let signedBackend: string;
    let frontend: string;

    const signing = (keys: string) => `  pinstack:signing:\n    keys:\n${keys}`;
    const key = (id: string, extra = "") => `      - id: ${id}\n        publicKey: keys/${id}.pub\n${extra}`;

    before(async () => {
        ensureBuilt();
        registry = await startRegistry();
        host = registry.host;
        signedBackend = await pushImage(registry, "example/backend", "2023.05.1", "backend 2023.05.1");
        frontend = await pushImage(registry, "example/frontend", "2023.05.4", "frontend 2023.05.4");
        await pushSignature(registry, "example/backend", signedBackend, [ci.privateKey]);
    });
    after(async () => {
        await registry?.stop();
        removeTempProjects();
    });
    beforeEach(() => {
        project = tempProject({
            "Pulumi.yaml": "name: pinstack\nruntime: nodejs\n",
            "Pulumi.staging.yaml": stagingYaml({ registry: host }),
            "Pulumi.production.yaml": productionYaml({ registry: host }) + signing(key("ci-2026")),
            "keys/ci-2026.pub": ci.publicPem,
        });
        pulumi = fakePulumi();
        pulumi.setHistory("staging", [deployedFile(project.file("Pulumi.staging.yaml"), { minutesAgo: 120, message: "deploy staging" })]);
    });
    afterEach(() => pulumi.remove());

    const promote = (...args: string[]) => runPinstack(["promote", "staging", "production", ...args, "--reason", "release"], { cwd: project.dir, env: { ...pulumi.env, PINSTACK_ACTOR: "ci@example.org" } });

    it("promotes a signed image and records, under the seal, the key that verified it", () => {
        const { code, stdout, stderr } = promote("--service", "backend");
        assert.equal(code, 0, stderr);
        assert.match(stdout, /service backend .*\(on staging since update 1; digest from the registry; signed by ci-2026\)/);
        const written = readStackFile(project.file("Pulumi.production.yaml")).raw["pinstack:services"] as Record<string, { provenance: { signatures: unknown } }>;
        assert.deepEqual(written.backend.provenance.signatures, [{ image: `${host}/example/backend`, digest: signedBackend, key: "ci-2026", keyDigest: keyDigestOf(ci.publicKey) }]);
        const check = runPinstack(["check", "--stack", "production", "--json"], { cwd: project.dir });
        const backend = jsonLines(check.stdout).filter((l) => l.rule === "signed-images" && l.subject === "backend");
        assert.deepEqual(backend, [], check.stdout);
    });

    it("refuses an unsigned image before any file changes, naming the image and the reason", () => {
        const before = snapshot(project.dir);
        const { code, stderr } = promote("--service", "frontend");
        assert.equal(code, 1, stderr);
        assert.match(stderr, new RegExp(`cannot promote to production: it takes signed images only, and one is not: service frontend: ${esc(host)}/example/frontend@${frontend} has no signature`));
        assert.deepEqual(snapshot(project.dir), before);
    });

    it("refuses a signature by a key production does not trust", async () => {
        const d = await pushImage(registry, "example/backend", "2023.05.7", "signed by a stranger");
        await pushSignature(registry, "example/backend", d, [stranger.privateKey]);
        project.write("Pulumi.staging.yaml", stagingYaml({ registry: host, backendTag: "2023.05.7" }));
        pulumi.setHistory("staging", [deployedFile(project.file("Pulumi.staging.yaml"), { minutesAgo: 120, message: "deploy" })]);
        const before = snapshot(project.dir);
        const { code, stderr } = promote("--service", "backend");
        assert.equal(code, 1, stderr);
        assert.match(stderr, new RegExp(`service backend: ${esc(host)}/example/backend@${d} is signed, but by no key Pulumi\\.production\\.yaml: pinstack:signing trusts \\(1 signature\\(s\\) checked against ci-2026\\)`));
        assert.deepEqual(snapshot(project.dir), before);
    });

    it("refuses a signature made for another digest", async () => {
        const d = await pushImage(registry, "example/backend", "2023.05.8", "signature copied from 2023.05.1");
        await pushSignature(registry, "example/backend", d, [ci.privateKey], { signedDigest: signedBackend });
        project.write("Pulumi.staging.yaml", stagingYaml({ registry: host, backendTag: "2023.05.8" }));
        pulumi.setHistory("staging", [deployedFile(project.file("Pulumi.staging.yaml"), { minutesAgo: 120, message: "deploy" })]);
        const { code, stderr } = promote("--service", "backend");
        assert.equal(code, 1, stderr);
        assert.match(stderr, new RegExp(`carries a signature by key ci-2026 made for another digest, ${signedBackend}`));
    });

    it("refuses a signature by a key past its validity", () => {
        project.write("Pulumi.production.yaml", productionYaml({ registry: host }) + signing(key("ci-2026", `        notAfter: "2026-01-01T00:00:00Z"\n`)));
        const { code, stderr } = promote("--service", "backend");
        assert.equal(code, 1, stderr);
        assert.match(stderr, /is signed by key ci-2026, but key ci-2026 expired at 2026-01-01T00:00:00Z/);
    });

    it("check refuses a recorded signature once its key is removed from the trusted keys (removal revokes)", () => {
        assert.equal(promote("--service", "backend").code, 0);
        project.write("keys/ci-2027.pub", stranger.publicPem);
        const rotated = project.read("Pulumi.production.yaml").replace(/    keys:\n[\s\S]*$/, `    keys:\n${key("ci-2027")}`);
        project.write("Pulumi.production.yaml", rotated);
        const check = runPinstack(["check", "--stack", "production"], { cwd: project.dir });
        assert.equal(check.code, 1, check.stdout);
        assert.match(check.stdout, /\[signed-images\] service backend \(.*\) was verified by key ci-2026, which Pulumi\.production\.yaml: pinstack:signing does not trust \(any more\)/);
        // The frontend was never promoted with signatures.
        assert.match(check.stdout, /\[signed-images\] service frontend \(.*\) has no verified signature in its provenance/);
    });

    it("check ignores nothing: a record edited by hand breaks the seal, and the signature no longer counts", () => {
        assert.equal(promote("--service", "backend").code, 0);
        const text = project.read("Pulumi.production.yaml");
        // One hex digit of the recorded key digest changed (always to another digit).
        project.write("Pulumi.production.yaml", text.replace(/(keyDigest: sha256:)([0-9a-f])/, (_, head: string, digit: string) => `${head}${digit === "0" ? "1" : "0"}`));
        const check = runPinstack(["check", "--stack", "production", "--json"], { cwd: project.dir });
        assert.equal(check.code, 1, check.stdout);
        const backend = jsonLines(check.stdout).filter((l) => l.rule === "signed-images" && l.subject === "backend");
        assert.equal(backend.length, 1, check.stdout);
        assert.match(String(backend[0].message), /signature records under a seal that does not match the pin/);
    });

    it("verify-image --signatures: exit 0 for a signed image (the key named), 1 for an unsigned one", () => {
        const ok = runPinstack(["verify-image", `${host}/example/backend:2023.05.1@${signedBackend}`, "--stack", "production", "--signatures", "--json"], { cwd: project.dir });
        assert.equal(ok.code, 0, ok.stdout + ok.stderr);
        assert.deepEqual(jsonLines(ok.stdout)[0].signature, { image: `${host}/example/backend`, digest: signedBackend, key: "ci-2026", keyDigest: keyDigestOf(ci.publicKey) });
        const refused = runPinstack(["verify-image", `${host}/example/frontend@${frontend}`, "--stack", "production", "--signatures"], { cwd: project.dir });
        assert.equal(refused.code, 1, refused.stdout + refused.stderr);
        assert.match(refused.stdout, new RegExp(`refused  ${esc(host)}/example/frontend@${frontend}\\n  error \\[signed-images\\] ${esc(host)}/example/frontend@${frontend} has no signature`));
    });

    it("verify-image --signatures on a stack that names no keys is bad input (exit 2)", () => {
        const r = runPinstack(["verify-image", `${host}/example/backend:2023.05.1`, "--stack", "staging", "--signatures"], { cwd: project.dir });
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /stack staging names no trusted signing keys/);
    });

    it("a malformed signing policy is bad input naming file, line and key: an id twice, an unzoned time, a validity that ends before it starts", () => {
        const cases: [string, RegExp][] = [
            [signing(key("ci-2026") + key("ci-2026")), /Pulumi\.production\.yaml:\d+:\d+: pinstack:signing\.keys\[1\]\.id: key id 'ci-2026' is named twice/],
            [signing(key("ci-2026", `        notAfter: "2027-01-01"\n`)), /Pulumi\.production\.yaml:\d+:\d+: pinstack:signing\.keys\[0\]\.notAfter: .*a time is ISO-8601 with a zone/],
            [signing(key("ci-2026", `        notBefore: "2027-01-01T00:00:00Z"\n        notAfter: "2026-01-01T00:00:00Z"\n`)), /pinstack:signing\.keys\[0\]\.notAfter: key ci-2026: notAfter 2026-01-01T00:00:00Z is not after notBefore/],
        ];
        for (const [block, message] of cases) {
            project.write("Pulumi.production.yaml", productionYaml({ registry: host }) + block);
            const r = runPinstack(["check", "--stack", "production"], { cwd: project.dir });
            assert.equal(r.code, 2, r.stdout + r.stderr);
            assert.match(r.stderr, message);
        }
    });

    it("a private key named as trusted is bad input naming file, line and key, and nothing is written", () => {
        project.write("keys/ci-2026.pub", ci.privateKey.export({ type: "pkcs8", format: "pem" }).toString());
        const before = snapshot(project.dir);
        const r = promote("--service", "backend");
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /Pulumi\.production\.yaml:\d+:\d+: pinstack:signing\.keys\[0\]\.publicKey: key ci-2026: is a private key/);
        assert.doesNotMatch(r.stderr, /PRIVATE KEY/);
        assert.deepEqual(snapshot(project.dir), before);
    });
});

function esc(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
