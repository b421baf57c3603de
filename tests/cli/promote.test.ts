import { execFileSync } from "child_process";
import { strict as assert } from "assert";
import { readStackFile } from "../../lib/config";
import { digest, productionYaml, stagingYaml } from "../unit/promote/support/project";
import { deployedFile, fakePulumi, FakePulumi, historyEntry } from "./fake-pulumi";
import { ensureBuilt, jsonLines, removeTempProjects, runPinstack, snapshot, tempProject, TempProject } from "./helpers";
import { pushImage, RunningRegistry, startRegistry } from "../e2e/support/registry";

/**
 * `pinstack promote` as a process: a fake `pulumi` answers `stack history`, and a real
 * docker-registry on 127.0.0.1 serves the images (production requires digests).
 */
describe("pinstack promote (process)", function () {
    this.timeout(180_000);
    let registry: RunningRegistry;
    let pulumi: FakePulumi;
    let project: TempProject;
    let backendDigest: string;
    let frontendDigest: string;
    let host: string;

    before(async () => {
        ensureBuilt();
        registry = await startRegistry();
        host = registry.host;
        backendDigest = await pushImage(registry, "example/backend", "2023.05.1", "backend 2023.05.1");
        frontendDigest = await pushImage(registry, "example/frontend", "2023.05.4", "frontend 2023.05.4");
    });
    after(async () => {
        await registry?.stop();
        removeTempProjects();
    });
    beforeEach(() => {
        project = tempProject({ "Pulumi.yaml": "name: pinstack\nruntime: nodejs\n", "Pulumi.staging.yaml": stagingYaml({ registry: host }), "Pulumi.production.yaml": productionYaml({ registry: host }) });
        pulumi = fakePulumi();
        pulumi.setHistory("staging", [deployedFile(project.file("Pulumi.staging.yaml"), { minutesAgo: 120, message: "deploy staging" })]);
    });
    afterEach(() => pulumi.remove());

    const promote = (...args: string[]) => runPinstack(["promote", ...args], { cwd: project.dir, env: { ...pulumi.env, PINSTACK_ACTOR: "ci@example.org" } });

    it("promotes one service: diff printed, file and ledger written, digest from the real registry", () => {
        const before = project.read("Pulumi.production.yaml");
        const { code, stdout, stderr } = promote("staging", "production", "--service", "backend", "--reason", "Release 2023.06.2 (#921)");
        assert.equal(code, 0, stderr);
        assert.match(stdout, /^promote staging -> production\n {2}service backend {2}2023\.04\.2@sha256:444444444444 -> 2023\.05\.1@sha256:[0-9a-f]{12} {2}\(on staging since update 1; digest from the registry\)\n/);
        assert.match(stdout, /\n--- a\/Pulumi\.production\.yaml\n\+\+\+ b\/Pulumi\.production\.yaml\n/);
        assert.match(stdout, /^-      tag: 2023\.04\.2 {10}# calver YYYY\.MM\.N$/m);
        assert.match(stdout, /^\+      tag: 2023\.05\.1 {10}# calver YYYY\.MM\.N$/m);
        assert.match(stdout, new RegExp(`^\\+      digest: ${backendDigest}$`, "m"));
        assert.match(stdout, /wrote Pulumi\.production\.yaml, pinstack\.ledger\.json/);
        const after = project.read("Pulumi.production.yaml");
        assert.notEqual(after, before);
        assert.ok(after.includes(`digest: ${backendDigest}`));
        assert.ok(after.includes("by: ci@example.org"));
        assert.ok(JSON.parse(project.read("pinstack.ledger.json")).tags[`${host}/example/backend:2023.05.1`].digest === backendDigest);
        assert.deepEqual(pulumi.calls().map((c) => c.split(" ").slice(0, 4).join(" ")), ["stack history --stack staging"]);
        // The written file passes pinstack check for production.
        const check = runPinstack(["check", "--stack", "production"], { cwd: project.dir });
        assert.equal(check.code, 0, check.stdout + check.stderr);
    });

    it("--gates: the ci gate results decide; a missing one refuses by default, a failed one refuses, nothing written", () => {
        // Backend's source repository: 2023.05.1 tagged on its production branch (real git).
        const repo = tempProject({});
        const gitEnv = { ...process.env, GIT_AUTHOR_NAME: "Ana", GIT_AUTHOR_EMAIL: "ana@example.org", GIT_COMMITTER_NAME: "Ana", GIT_COMMITTER_EMAIL: "ana@example.org" };
        const git = (...args: string[]) => execFileSync("git", ["-C", repo.dir, ...args], { env: gitEnv, stdio: "ignore" });
        git("init", "-q", "-b", "production");
        git("commit", "-q", "--allow-empty", "-m", "release 2023.05.1");
        git("tag", "2023.05.1");
        const gate = (args: string[], file: string) => runPinstack(["ci", ...args, "-o", project.file(file)]);
        assert.equal(gate(["branch-tag", "--repo", repo.dir, "--tag", "2023.05.1", "--image", `${host}/example/backend`], "backend-tag.json").code, 0);
        project.write("done.md", "- [x] acceptance tests on staging\n");
        project.write("open.md", "- [ ] acceptance tests on staging\n");
        assert.equal(gate(["acceptance-checklist", "--issue", project.file("done.md")], "accepted.json").code, 0);
        assert.equal(gate(["acceptance-checklist", "--issue", project.file("open.md")], "open.json").code, 1);
        const before = snapshot(project.dir);
        const args = (...files: string[]) => ["staging", "production", "--service", "backend", "--reason", "Release 2023.06.2", ...files.flatMap((f) => ["--gates", project.file(f)])];

        const missing = promote(...args("accepted.json"));
        assert.equal(missing.code, 1, missing.stdout);
        assert.match(missing.stderr, /\[production-branch-tag\] no production-branch tags were given for .*example\/backend/);
        const open = promote(...args("open.json", "backend-tag.json"));
        assert.equal(open.code, 1, open.stdout);
        assert.match(open.stderr, /\[acceptance-checklist\] the release acceptance checklist is not complete/);
        assert.deepEqual(snapshot(project.dir), before, "a refused promotion writes nothing");

        const passed = promote(...args("accepted.json", "backend-tag.json"));
        assert.equal(passed.code, 0, passed.stderr);
        assert.match(passed.stdout, /wrote Pulumi\.production\.yaml/);
    });

    it("--json: one line per pin moved; --dry-run writes nothing", () => {
        const before = snapshot(project.dir);
        const { code, stdout, stderr } = promote("staging", "production", "--reason", "Release", "--dry-run", "--json");
        assert.equal(code, 0, stderr);
        const lines = jsonLines(stdout);
        assert.deepEqual(lines.map((l) => `${l.kind}:${l.name}:${l.change}`), ["service:backend:update", "service:frontend:update", "package:ukrdc-services:update"]);
        assert.deepEqual(Object.keys(lines[0]), ["kind", "name", "change", "from", "to", "before", "after", "resolvedDigest", "deployedSince", "provenance", "written"]);
        assert.equal(lines[1].resolvedDigest, frontendDigest);
        assert.equal((lines[0].provenance as Record<string, unknown>).reason, "Release");
        assert.equal(lines[0].written, false);
        assert.deepEqual(snapshot(project.dir), before);
    });

    it("refuses (exit 1, nothing written) a pin staging never deployed, and takes it with --allow-undeployed (recorded)", () => {
        pulumi.setHistory("staging", [historyEntry({ minutesAgo: 120, config: { "pinstack:services": { backend: { image: `${host}/example/backend`, tag: "2023.04.2" } } } })]);
        const before = snapshot(project.dir);
        const refused = promote("staging", "production", "--service", "backend", "--reason", "r");
        assert.equal(refused.code, 1);
        assert.match(refused.stderr, /service backend 2023\.05\.1 was never successfully deployed on staging: its last successful update \(1, .*\) ran service backend at 2023\.04\.2/);
        assert.match(refused.stderr, /fix: .*--allow-undeployed/);
        assert.deepEqual(snapshot(project.dir), before);
        const allowed = promote("staging", "production", "--service", "backend", "--reason", "hotfix", "--allow-undeployed");
        assert.equal(allowed.code, 0, allowed.stderr);
        assert.match(project.read("Pulumi.production.yaml"), /allowUndeployed: true/);
    });

    it("refuses a pin that has not soaked for production's 60 minutes", () => {
        pulumi.setHistory("staging", [historyEntry({ minutesAgo: 20, config: JSON.parse(JSON.stringify(readStackFile(project.file("Pulumi.staging.yaml")).raw)) })]);
        const { code, stderr } = promote("staging", "production", "--service", "backend", "--reason", "r");
        assert.equal(code, 1);
        assert.match(stderr, /has run on staging for 19 min \(since update 1\); production needs 60 min of soak/);
    });

    it("refuses when the source stack has no Pulumi state, with the fix", () => {
        const { code, stderr } = promote("playground", "staging", "--reason", "r");
        assert.equal(code, 2, "playground does not exist in this project: bad input");
        assert.match(stderr, /unknown stack 'playground'/);
        project.write("Pulumi.playground.yaml", "config:\n  pinstack:environment: playground\n  pinstack:services:\n    backend:\n      image: ghcr.io/example/backend\n      tag: 2023.06.1\n      scheme: calver\n");
        const noState = promote("playground", "staging", "--reason", "r");
        assert.equal(noState.code, 1);
        assert.match(noState.stderr, /cannot read the update history of stack playground: no stack named 'playground' found/);
        assert.match(noState.stderr, /pulumi up -s playground/);
    });

    it("refuses while production is on hold", () => {
        project.write("Pulumi.production.yaml", productionYaml({ hold: true, registry: host }));
        const { code, stderr } = promote("staging", "production", "--reason", "r");
        assert.equal(code, 1);
        assert.match(stderr, /production is on hold \(incident 940\): only rollbacks pass/);
        assert.deepEqual(pulumi.calls(), [], "asked pulumi although the target is on hold");
    });

    it("exit 2 for an unknown service, a missing --reason, or a stack to itself", () => {
        assert.equal(promote("staging", "production", "--service", "worker", "--reason", "r").code, 2);
        assert.equal(promote("staging", "production").code, 2);
        assert.equal(promote("staging", "staging", "--reason", "r").code, 2);
    });

    it("a tag re-pushed with other content is refused after it was promoted once (tag moved)", async () => {
        const first = promote("staging", "production", "--service", "backend", "--reason", "Release 2023.05.1");
        assert.equal(first.code, 0, first.stderr);
        // Production moves on; then the tag is re-pushed and someone promotes it again.
        const moved = await pushImage(registry, "example/backend", "2023.05.1", "rebuilt, other content");
        assert.notEqual(moved, backendDigest);
        project.write("Pulumi.production.yaml", project.read("Pulumi.production.yaml").replace(/tag: 2023\.05\.1/, "tag: 2023.04.2").replace(`digest: ${backendDigest}`, `digest: ${digest("4")}`));
        const before = snapshot(project.dir);
        const again = promote("staging", "production", "--service", "backend", "--reason", "again", "--allow-undeployed");
        assert.equal(again.code, 1, again.stdout);
        assert.match(again.stderr, new RegExp(`tag moved: ${host.replace(/\./g, "\\.")}/example/backend:2023\\.05\\.1 was recorded as ${backendDigest} in pinstack\\.ledger\\.json .* but the registry now gives ${moved}`));
        assert.deepEqual(snapshot(project.dir), before);
    });
});
