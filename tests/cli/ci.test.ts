import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { hugeDigest } from "../fixtures/preview/huge";
import { DIGEST_A, DIGEST_B, serviceProvenance, stackYaml } from "../unit/ci/helpers";
import { historyEntry } from "./fake-pulumi";
import { ensureBuilt, jsonLines, removeTempProjects, repoRoot, runPinstack, snapshot, tempProject, TempProject } from "./helpers";

const PROJECT_FILE = "name: pinstack\nruntime: nodejs\n";
const IMAGE = "ghcr.io/example/backend";
const fixture = (name: string) => fs.readFileSync(path.join(repoRoot, "tests", "fixtures", "preview", name), "utf8");

/** A git repository holding the project, with `files` committed on main. */
function gitProject(files: Record<string, string>): TempProject & { git(...args: string[]): string; commit(message: string): string } {
    const project = tempProject({ "Pulumi.yaml": PROJECT_FILE, ...files });
    const env = { ...process.env, GIT_AUTHOR_NAME: "Ana", GIT_AUTHOR_EMAIL: "ana@example.org", GIT_COMMITTER_NAME: "Ana", GIT_COMMITTER_EMAIL: "ana@example.org" };
    const git = (...args: string[]) => execFileSync("git", ["-C", project.dir, ...args], { encoding: "utf8", env, stdio: ["ignore", "pipe", "pipe"] });
    git("init", "-q", "-b", "main");
    git("config", "commit.gpgsign", "false");
    const commit = (message: string) => {
        git("add", "-A");
        git("commit", "-q", "--allow-empty", "-m", message);
        return git("rev-parse", "HEAD").trim();
    };
    commit("base");
    return Object.assign(project, { git, commit });
}

const stagingBase = stackYaml({ environment: "staging", tag: "2023.05.1", version: "10.8.5rc1" });
const stagingHead = stackYaml({
    environment: "staging",
    tag: "2023.06.1",
    version: "10.8.5",
    provenance: serviceProvenance("backend", { image: IMAGE, tag: "2023.06.1" }, { from: "playground", reason: "weekly release" }),
});

describe("pinstack ci (as a process)", function () {
    this.timeout(120_000);
    before(ensureBuilt);
    after(removeTempProjects);

    describe("ci comment", () => {
        let project: ReturnType<typeof gitProject>;
        beforeEach(() => {
            project = gitProject({ "Pulumi.staging.yaml": stagingBase, "Pulumi.production.yaml": stackYaml({ environment: "production", tag: "2023.04.2", digest: DIGEST_A }) });
            project.git("checkout", "-q", "-b", "promote-backend");
            project.write("Pulumi.staging.yaml", stagingHead);
            project.write("preview.json", fixture("small.json"));
        });

        it("renders the comment from the preview and the git base: marker, pin table first", () => {
            const { code, stdout, stderr } = runPinstack(["ci", "comment", "--stack", "staging", "--preview", "preview.json", "--base-ref", "main"], { cwd: project.dir });
            assert.equal(code, 0, stderr);
            const lines = stdout.split("\n");
            assert.equal(lines[0], "<!-- pinstack:stack=staging -->");
            assert.ok(lines.includes("| service `backend` | `2023.05.1` → `2023.06.1` (up) | — | from `playground`, by ana@example.org, 2026-11-20T10:00:00Z: weekly release |"), stdout);
            assert.ok(lines.includes("| package `ukrdc-services` | `10.8.5rc1` → `10.8.5` (up) | — | none: typed in, not promoted |"), stdout);
            assert.ok(stdout.indexOf("#### Pin changes") < stdout.indexOf("#### Policy results"));
            assert.match(stdout, /pins compared with `main` \(`[0-9a-f]{12}`\)/);
        });

        it("on hold, flags a pin the stack never ran; with --history, not a return to one it ran", () => {
            const held = stackYaml({ environment: "production", tag: "2023.04.1", digest: DIGEST_B, hold: true, provenance: serviceProvenance("backend", { image: IMAGE, tag: "2023.04.1", digest: DIGEST_B }, { rollback: true }) });
            project.write("Pulumi.production.yaml", held);
            const args = ["ci", "comment", "--stack", "production", "--preview", "preview.json", "--base-ref", "main"];
            const without = runPinstack(args, { cwd: project.dir });
            assert.equal(without.code, 0, without.stderr);
            assert.match(without.stdout, /service backend moved from the deployed .*no update history was given/);
            const ran = JSON.stringify([historyEntry({ minutesAgo: 60, config: { "pinstack:services": { backend: { image: IMAGE, tag: "2023.04.1", digest: DIGEST_B } } } })]);
            const withHistory = runPinstack([...args, "--history", "-"], { cwd: project.dir, input: ran });
            assert.equal(withHistory.code, 0, withHistory.stderr);
            assert.doesNotMatch(withHistory.stdout, /service backend moved/);
        });

        it("defaults to origin/main, and names a missing ref as bad input (exit 2)", () => {
            const { code, stderr } = runPinstack(["ci", "comment", "--stack", "staging", "--preview", "preview.json"], { cwd: project.dir });
            assert.equal(code, 2);
            assert.match(stderr, /unknown git ref 'origin\/main'/);
            assert.match(stderr, /fix: fetch it first/);
        });

        it("reads the base from --base-dir instead of git", () => {
            const baseDir = tempProject({ "Pulumi.staging.yaml": stagingBase });
            const { code, stdout } = runPinstack(["ci", "comment", "-s", "staging", "--preview", "preview.json", "--base-dir", baseDir.dir], { cwd: project.dir });
            assert.equal(code, 0);
            assert.match(stdout, /`2023\.05\.1` → `2023\.06\.1`/);
        });

        it("a base stack file over the size limit is refused (exit 2), from git and from --base-dir", () => {
            const big = `${stagingBase}${"# padding\n".repeat(Math.ceil((9 * 1024 * 1024) / 10))}`;
            project.git("checkout", "-q", "main");
            project.write("Pulumi.staging.yaml", big);
            const base = project.commit("a generated stack file");
            project.write("Pulumi.staging.yaml", stagingHead);
            project.write("preview.json", fixture("small.json"));
            const fromGit = runPinstack(["ci", "comment", "-s", "staging", "--preview", "preview.json", "--base-ref", "main"], { cwd: project.dir });
            assert.equal(fromGit.code, 2, fromGit.stderr);
            assert.match(fromGit.stderr, new RegExp(`${base.slice(0, 12)}:Pulumi\\.staging\\.yaml: the stack file is 9\\.1 MiB \\(\\d+ bytes\\), over pinstack's limit of 8 MiB`));
            const baseDir = tempProject({ "Pulumi.staging.yaml": big });
            const fromDir = runPinstack(["ci", "comment", "-s", "staging", "--preview", "preview.json", "--base-dir", baseDir.dir], { cwd: project.dir });
            assert.equal(fromDir.code, 2, fromDir.stderr);
            assert.match(fromDir.stderr, /Pulumi\.staging\.yaml: the stack file is 9\.1 MiB/);
        });

        it("a stack file that loosens its floor: the comment shows the refusal to the reviewer", () => {
            project.write("Pulumi.staging.yaml", stackYaml({ environment: "staging", tag: "2023.06.1", extra: "  pinstack:preset:\n    levels:\n      no-mutable-tags: advisory" }));
            const { code, stdout, stderr } = runPinstack(["ci", "comment", "-s", "staging", "--preview", "preview.json", "--base-ref", "main"], { cwd: project.dir });
            assert.equal(code, 0, stderr);
            assert.match(stdout, /working copy: Pulumi\.staging\.yaml:\d+:\d+: pinstack:preset\.levels\.no-mutable-tags: rule no-mutable-tags is below stack staging's floor: the file sets advisory, the floor is mandatory/);
        });

        it("a stack file new on this branch: every pin is added", () => {
            project.write("Pulumi.qa.yaml", stackYaml({ environment: "staging", tag: "2023.06.1" }));
            const { code, stdout } = runPinstack(["ci", "comment", "-s", "qa", "--preview", "preview.json", "--base-ref", "main"], { cwd: project.dir });
            assert.equal(code, 0);
            assert.match(stdout, /`Pulumi\.qa\.yaml` does not exist on `main`/);
            assert.match(stdout, /\| service `backend` \| added: `2023\.06\.1`/);
        });

        it("writes the comment atomically with -o, and the same inputs give the same file", () => {
            const args = ["ci", "comment", "-s", "staging", "--preview", "preview.json", "--base-ref", "main", "--commit", "0b7d4f2a9c1e0b7d4f2a9c1e0b7d4f2a9c1e0b7d", "-o", "comment.md"];
            assert.equal(runPinstack(args, { cwd: project.dir }).code, 0);
            const first = project.read("comment.md");
            assert.equal(runPinstack(args, { cwd: project.dir }).code, 0);
            assert.equal(project.read("comment.md"), first);
            assert.match(first, /^<!-- pinstack:stack=staging -->\n/);
            assert.deepEqual(fs.readdirSync(project.dir).filter((f) => f.includes(".tmp")), []);
        });

        it("truncates a huge preview under --max-chars", () => {
            project.write("huge.json", hugeDigest(1500));
            const { code, stdout } = runPinstack(["ci", "comment", "-s", "staging", "--preview", "huge.json", "--base-ref", "main", "--max-chars", "20000"], { cwd: project.dir });
            assert.equal(code, 0);
            assert.ok(stdout.length <= 20000, `${stdout.length}`);
            assert.match(stdout, /… and \d+ more resources not shown/);
            assert.match(stdout, /\| service `backend` \|/);
        });

        it("an invalid stack file in the working copy is shown in the comment (the reviewer must see it)", () => {
            project.write("Pulumi.staging.yaml", stagingHead.replace('tag: "2023.06.1"', 'tag: "Latest "'));
            const { code, stdout } = runPinstack(["ci", "comment", "-s", "staging", "--preview", "preview.json", "--base-ref", "main"], { cwd: project.dir });
            assert.equal(code, 0);
            assert.match(stdout, /> \*\*Stack file problem:\*\* working copy: Pulumi\.staging\.yaml:\d+/);
        });

        it("bad input: exit 2, a message naming the problem, no file written", () => {
            project.write("broken.json", '{\n  "steps": [\n    {"op": "update",}\n  ]\n}\n');
            const before = snapshot(project.dir);
            const cases: [string[], RegExp][] = [
                [["-s", "nope", "--preview", "preview.json", "--base-ref", "main"], /unknown stack 'nope'/],
                [["-s", "staging", "--preview", "missing.json", "--base-ref", "main"], /--preview missing\.json: cannot read it \(ENOENT\)/],
                [["-s", "staging", "--preview", "broken.json", "--base-ref", "main"], /broken\.json:3: malformed JSON/],
                [["-s", "staging", "--preview", "preview.json", "--base-ref", "main", "--max-chars", "70000"], /--max-chars 70000: must be a whole number from 1 to 65536/],
                [["-s", "staging", "--preview", "preview.json", "--base-ref", "main", "--max-chars", "300"], /--max-chars 300 is too small/],
                [["-s", "staging", "--preview", "preview.json", "--base-ref", "no-such-branch"], /unknown git ref 'no-such-branch'/],
                [["-s", "staging", "--preview", "preview.json", "--base-ref", "main", "--base-dir", "."], /cannot be used with option/],
                [["-s", "staging", "--preview", "preview.json", "--base-ref", "main", "-o", "no/such/dir/comment.md"], /--output no\/such\/dir\/comment\.md: cannot write it/],
                [["--preview", "preview.json"], /required option '-s, --stack <stack>'/],
            ];
            for (const [args, message] of cases) {
                const { code, stderr } = runPinstack(["ci", "comment", ...args], { cwd: project.dir });
                assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
                assert.match(stderr, message, args.join(" "));
            }
            assert.deepEqual(snapshot(project.dir), before);
        });
    });

    describe("ci changed-stacks", () => {
        it("--files: the stacks a list of paths touches, as one JSON line", () => {
            const project = tempProject({ "Pulumi.yaml": PROJECT_FILE, "Pulumi.staging.yaml": stagingBase, "Pulumi.production.yaml": stagingBase, "changed.txt": "Pulumi.staging.yaml\ndocs/reviewing.md\n" });
            const { code, stdout } = runPinstack(["ci", "changed-stacks", "--files", "changed.txt", "--json"], { cwd: project.dir });
            assert.equal(code, 0);
            assert.deepEqual(jsonLines(stdout), [{ stacks: ["staging"], reasons: { staging: ["Pulumi.staging.yaml"] }, removed: [], ignored: ["docs/reviewing.md"] }]);
        });

        it("--files -: reads stdin; code changes list every stack, one per line", () => {
            const project = tempProject({ "Pulumi.yaml": PROJECT_FILE, "Pulumi.staging.yaml": stagingBase, "Pulumi.production.yaml": stagingBase });
            const { code, stdout } = runPinstack(["ci", "changed-stacks", "--files", "-"], { cwd: project.dir, input: "lib/rules/hold.ts\n" });
            assert.equal(code, 0);
            assert.equal(stdout, "production\tlib/rules/hold.ts\nstaging\tlib/rules/hold.ts\n");
        });

        it("from git: committed and uncommitted changes since the merge base", () => {
            const project = gitProject({ "Pulumi.staging.yaml": stagingBase, "Pulumi.production.yaml": stagingBase, "README.md": "# x\n" });
            project.git("checkout", "-q", "-b", "topic");
            project.write("Pulumi.production.yaml", stagingHead);
            project.commit("promote");
            project.write("README.md", "# y\n");
            let result = runPinstack(["ci", "changed-stacks", "--base-ref", "main", "--json"], { cwd: project.dir });
            assert.equal(result.code, 0, result.stderr);
            assert.deepEqual(jsonLines(result.stdout)[0].stacks, ["production"]);
            project.write("Pulumi.staging.yaml", stagingHead); // uncommitted
            result = runPinstack(["ci", "changed-stacks", "--base-ref", "main", "--json"], { cwd: project.dir });
            assert.deepEqual(jsonLines(result.stdout)[0].stacks, ["production", "staging"]);
        });

        it("docs-only change: no stacks (an empty matrix)", () => {
            const project = gitProject({ "Pulumi.staging.yaml": stagingBase });
            project.git("checkout", "-q", "-b", "docs");
            project.write("docs/reviewing.md", "# reviewing\n");
            const { code, stdout } = runPinstack(["ci", "changed-stacks", "--base-ref", "main", "--json"], { cwd: project.dir });
            assert.equal(code, 0);
            assert.deepEqual(jsonLines(stdout)[0].stacks, []);
        });

        it("bad input: a missing file list, an unknown ref (exit 2)", () => {
            const project = gitProject({ "Pulumi.staging.yaml": stagingBase });
            assert.equal(runPinstack(["ci", "changed-stacks", "--files", "nope.txt"], { cwd: project.dir }).code, 2);
            const { code, stderr } = runPinstack(["ci", "changed-stacks", "--base-ref", "origin/nope"], { cwd: project.dir });
            assert.equal(code, 2);
            assert.match(stderr, /unknown git ref 'origin\/nope'/);
        });
    });

    describe("ci policy-config", () => {
        const packConfig = JSON.stringify({ hold: { enforcementLevel: "mandatory", preset: "production" } });
        const outputs = JSON.stringify({ hold: true, holdReason: "incident #940", pins: { services: { backend: { reference: `${IMAGE}:2023.04.2@${DIGEST_A}` } }, packages: {} } });

        it("merges the deployed hold and pins into policies/config.<stack>.json, to a file", () => {
            const project = tempProject({ "Pulumi.yaml": PROJECT_FILE, "policies/config.production.json": packConfig, "outputs.json": outputs });
            const { code, stderr } = runPinstack(["ci", "policy-config", "-s", "production", "--outputs", "outputs.json", "-o", "merged.json"], { cwd: project.dir });
            assert.equal(code, 0, stderr);
            assert.deepEqual(JSON.parse(project.read("merged.json")), {
                hold: { enforcementLevel: "mandatory", preset: "production", onHold: true, holdReason: "incident #940", deployed: { backend: `${IMAGE}:2023.04.2@${DIGEST_A}` }, deployedPackages: {} },
            });
        });

        it("--history: adds the pins the stack's successful updates ran (hold.earlier); malformed history is bad input, nothing written", () => {
            const history = JSON.stringify([
                historyEntry({ minutesAgo: 5, result: "failed", config: { "pinstack:services": { backend: { image: IMAGE, tag: "2023.05.1" } }, "pinstack:packages": { "ukrdc-services": { version: "10.9.0" } } } }),
                historyEntry({ minutesAgo: 60, config: { "pinstack:services": { backend: { image: IMAGE, tag: "2023.04.2", digest: DIGEST_A } }, "pinstack:packages": { "ukrdc-services": { version: "10.8.5" } } } }),
            ]);
            const project = tempProject({ "Pulumi.yaml": PROJECT_FILE, "policies/config.production.json": packConfig, "outputs.json": outputs, "history.json": history, "bad.json": "[1]" });
            const { code, stderr } = runPinstack(["ci", "policy-config", "-s", "production", "--outputs", "outputs.json", "--history", "history.json", "-o", "merged.json"], { cwd: project.dir });
            assert.equal(code, 0, stderr);
            const merged = JSON.parse(project.read("merged.json"));
            assert.deepEqual(merged.hold.earlier, { services: { backend: [{ image: IMAGE, tag: "2023.04.2", digest: DIGEST_A }] }, packages: { "ukrdc-services": ["10.8.5"] } });
            const before = snapshot(project.dir);
            const bad = runPinstack(["ci", "policy-config", "-s", "production", "--outputs", "outputs.json", "--history", "bad.json", "-o", "m.json"], { cwd: project.dir });
            assert.equal(bad.code, 2);
            assert.match(bad.stderr, /bad\.json: every entry must be an update object/);
            assert.deepEqual(snapshot(project.dir), before);
        });

        it("a stack never deployed ({} on stdin): the config as it is", () => {
            const project = tempProject({ "Pulumi.yaml": PROJECT_FILE, "pack.json": packConfig });
            const { code, stdout } = runPinstack(["ci", "policy-config", "-s", "qa", "--outputs", "-", "--config", "pack.json"], { cwd: project.dir, input: "{}\n" });
            assert.equal(code, 0);
            assert.deepEqual(JSON.parse(stdout), JSON.parse(packConfig));
        });

        it("bad input: no pack config, malformed outputs (exit 2, nothing written)", () => {
            const project = tempProject({ "Pulumi.yaml": PROJECT_FILE, "policies/config.production.json": packConfig, "bad.json": "{" });
            const before = snapshot(project.dir);
            const missing = runPinstack(["ci", "policy-config", "-s", "staging", "--outputs", "bad.json", "-o", "m.json"], { cwd: project.dir });
            assert.equal(missing.code, 2);
            assert.match(missing.stderr, /config\.staging\.json: cannot read it \(ENOENT\)/);
            const malformed = runPinstack(["ci", "policy-config", "-s", "production", "--outputs", "bad.json", "-o", "m.json"], { cwd: project.dir });
            assert.equal(malformed.code, 2);
            assert.match(malformed.stderr, /bad\.json: malformed JSON/);
            assert.deepEqual(snapshot(project.dir), before);
        });
    });

    describe("ci load-test-label", () => {
        it("prints the mode: each label, and warn when there is none", () => {
            for (const [message, mode] of [["Merge #1 [load test: abort]", "abort"], ["[Load Test: SKIP]", "skip"], ["[load test: warn]", "warn"], ["Merge #2", "warn"]]) {
                const { code, stdout } = runPinstack(["ci", "load-test-label", "--message", message]);
                assert.equal(code, 0);
                assert.equal(stdout, `${mode}\n`, message);
            }
        });

        it("--json says whether the mode came from a label", () => {
            assert.deepEqual(jsonLines(runPinstack(["ci", "load-test-label", "--message", "x [load test: skip]", "--json"]).stdout), [{ mode: "skip", source: "label", label: "[load test: skip]" }]);
            assert.deepEqual(jsonLines(runPinstack(["ci", "load-test-label", "--message-file", "-", "--json"], { input: "Merge #3\n\nbody\n" }).stdout), [{ mode: "warn", source: "default", label: null }]);
        });

        it("a malformed label is bad input (exit 2): the deployment does not guess", () => {
            const { code, stdout, stderr } = runPinstack(["ci", "load-test-label", "--message", "Merge #4 [load test: abrot]"]);
            assert.equal(code, 2);
            assert.equal(stdout, "");
            assert.match(stderr, /malformed load-test label "\[load test: abrot\]": unknown mode 'abrot'/);
            assert.match(stderr, /fix: write exactly \[load test: abort\]/);
        });

        it("needs a message", () => {
            assert.equal(runPinstack(["ci", "load-test-label"]).code, 2);
        });
    });

    describe("ci load-test-gate", () => {
        const project = () => tempProject({ "Pulumi.yaml": PROJECT_FILE, "Pulumi.production.yaml": stackYaml({ environment: "production", tag: "2023.05.1", digest: DIGEST_A }) });

        it("abort + failed: exit 1, production may not be deployed", () => {
            const { code, stdout } = runPinstack(["ci", "load-test-gate", "-s", "production", "--mode", "abort", "--outcome", "failed"], { cwd: project().dir });
            assert.equal(code, 1);
            assert.match(stdout, /^error: production may not be deployed: the load test failed/);
        });

        it("warn + failed: exit 0 with a warning; --json for the workflow", () => {
            const { code, stdout } = runPinstack(["ci", "load-test-gate", "-s", "production", "--mode", "warn", "--outcome", "failed", "--json"], { cwd: project().dir });
            assert.equal(code, 0);
            const [line] = jsonLines(stdout);
            assert.deepEqual([line.deploy, line.level, line.mode, line.outcome], [true, "warning", "warn", "failed"]);
        });

        it("--record: the mode and outcome CI recorded on the commit", () => {
            const refused = runPinstack(["ci", "load-test-gate", "-s", "production", "--record", "mode=abort outcome=failed", "--json"], { cwd: project().dir });
            assert.equal(refused.code, 1);
            assert.equal(jsonLines(refused.stdout)[0].record, "mode=abort outcome=failed");
            assert.equal(runPinstack(["ci", "load-test-gate", "-s", "production", "--record", "mode=skip outcome=not-run"], { cwd: project().dir }).code, 0);
            const bad = runPinstack(["ci", "load-test-gate", "-s", "production", "--record", "abort/failed"], { cwd: project().dir });
            assert.equal(bad.code, 2);
            assert.match(bad.stderr, /expected 'mode=<abort\|skip\|warn> outcome=/);
            assert.equal(runPinstack(["ci", "load-test-gate", "-s", "production", "--mode", "warn"], { cwd: project().dir }).code, 2, "--outcome missing");
        });

        it("an unknown mode or outcome is bad input (exit 2)", () => {
            assert.equal(runPinstack(["ci", "load-test-gate", "-s", "production", "--mode", "maybe", "--outcome", "failed"], { cwd: project().dir }).code, 2);
            assert.equal(runPinstack(["ci", "load-test-gate", "-s", "production", "--mode", "warn", "--outcome", "flaky"], { cwd: project().dir }).code, 2);
        });
    });

    describe("ci hold-gate", () => {
        const deployed = stackYaml({ environment: "production", tag: "2023.05.1", digest: DIGEST_B });
        const rollback = stackYaml({
            environment: "production",
            tag: "2023.04.2",
            digest: DIGEST_A,
            hold: true,
            provenance: serviceProvenance("backend", { image: IMAGE, tag: "2023.04.2", digest: DIGEST_A }, { rollback: true }),
        });
        /** `pulumi stack history --json`: 2023.04.2 ran (update 1), then 2023.05.1 from the commit `sha` (update 2, running now). */
        const historyOf = (sha: string) =>
            JSON.stringify([
                { ...historyEntry({ minutesAgo: 10, config: { "pinstack:services": { backend: { image: IMAGE, tag: "2023.05.1", digest: DIGEST_B } }, "pinstack:packages": { "ukrdc-services": { version: "10.8.5" } } } }), environment: { "git.head": sha } },
                historyEntry({ minutesAgo: 60, config: { "pinstack:services": { backend: { image: IMAGE, tag: "2023.04.2", digest: DIGEST_A } }, "pinstack:packages": { "ukrdc-services": { version: "10.8.5" } } } }),
            ]);
        /** A project whose HEAD commit was deployed, then `change` written and committed over it. */
        const deployedThen = (change: string) => {
            const project = gitProject({ "Pulumi.production.yaml": deployed });
            const sha = project.git("rev-parse", "HEAD").trim();
            project.write("Pulumi.production.yaml", change);
            project.commit("change while on hold");
            return { project, history: historyOf(sha) };
        };
        const gate = (project: TempProject, history: string, ...extra: string[]) => runPinstack(["ci", "hold-gate", "-s", "production", "--history", "-", ...extra], { cwd: project.dir, input: history });

        it("deploying the rollback while on hold: exit 0 (its pin is one the history shows ran)", () => {
            const { project, history } = deployedThen(rollback);
            const { code, stdout, stderr } = gate(project, history);
            assert.equal(code, 0, stderr);
            assert.match(stdout, /^ok: production is on hold; every changed pin returns to one it ran before/);
        });

        it("a promotion while on hold: exit 1, naming the pin", () => {
            const { project, history } = deployedThen(stackYaml({ environment: "production", tag: "2023.05.2", digest: DIGEST_B, hold: true }));
            const { code, stdout } = gate(project, history, "--json");
            assert.equal(code, 1);
            const [line] = jsonLines(stdout);
            assert.equal(line.refused, true);
            assert.deepEqual((line.violations as { rule: string; subject: string }[]).map((v) => [v.rule, v.subject]), [["hold", "backend"]]);
        });

        it("a pin moved to staging's with rollback: true and a recomputed seal: exit 1", () => {
            const pin = { image: IMAGE, tag: "2023.06.1", digest: DIGEST_A };
            const { project, history } = deployedThen(stackYaml({ environment: "production", ...pin, hold: true, provenance: serviceProvenance("backend", pin, { rollback: true }) }));
            const { code, stdout } = gate(project, history);
            assert.equal(code, 1, stdout);
            assert.match(stdout, /^refused: service backend moved from the deployed .*2023\.05\.1.* to .*2023\.06\.1.*no successful update that ran it/);
        });

        it("a service removed while on hold (a Deployment deleted during the incident): exit 1", () => {
            const removed = "config:\n  pinstack:environment: production\n  pinstack:preset:\n    registries: [ ghcr.io/example ]\n  pinstack:hold: true\n  pinstack:services: {}\n  pinstack:packages:\n    ukrdc-services:\n      version: \"10.8.5\"\n      channel: release\n";
            const { project, history } = deployedThen(removed);
            const { code, stdout } = gate(project, history);
            assert.equal(code, 1, stdout);
            assert.match(stdout, /^refused: service backend removed/);
        });

        it("a package changed while on hold: exit 1", () => {
            const { project, history } = deployedThen(stackYaml({ environment: "production", tag: "2023.05.1", digest: DIGEST_B, version: "10.8.6", hold: true }));
            const { code, stdout } = gate(project, history);
            assert.equal(code, 1, stdout);
            assert.match(stdout, /^refused: package ukrdc-services moved from the deployed 10\.8\.5 to 10\.8\.6/);
        });

        it("--deployed-ref without history: the rollback is refused, the unchanged stack passes", () => {
            const { project } = deployedThen(rollback);
            const sha = project.git("rev-parse", "HEAD~1").trim();
            const refusedRun = runPinstack(["ci", "hold-gate", "-s", "production", "--deployed-ref", sha], { cwd: project.dir });
            assert.equal(refusedRun.code, 1);
            assert.match(refusedRun.stdout, /no update history was given/);
            const same = runPinstack(["ci", "hold-gate", "-s", "production", "--deployed-ref", "HEAD"], { cwd: project.dir });
            assert.equal(same.code, 0, same.stdout);
        });

        it("on hold without --history or --deployed-ref: refused (exit 1); not on hold: exit 0", () => {
            const held = tempProject({ "Pulumi.yaml": PROJECT_FILE, "Pulumi.production.yaml": rollback });
            assert.equal(runPinstack(["ci", "hold-gate", "-s", "production"], { cwd: held.dir }).code, 1);
            const free = tempProject({ "Pulumi.yaml": PROJECT_FILE, "Pulumi.production.yaml": deployed });
            assert.equal(runPinstack(["ci", "hold-gate", "-s", "production"], { cwd: free.dir }).code, 0);
        });

        it("--history: the deployed commit is the newest successful update's; a commit missing from the clone or malformed history is bad input (exit 2)", () => {
            const { project, history } = deployedThen(rollback);
            const withFailed = JSON.stringify([{ ...historyEntry({ minutesAgo: 1, result: "failed", config: {} }), environment: { "git.head": "f".repeat(40) } }, ...JSON.parse(history)]);
            assert.equal(gate(project, withFailed).code, 0);
            const missing = gate(project, JSON.stringify([{ kind: "update", result: "succeeded", environment: { "git.head": "e".repeat(40) } }]));
            assert.equal(missing.code, 2, "a deployed commit missing from the clone is bad input");
            assert.match(missing.stderr, /unknown git ref 'e{40}'/);
            const malformed = gate(project, "{");
            assert.equal(malformed.code, 2);
            assert.match(malformed.stderr, /-: malformed JSON/);
        });

        it("an unknown deployed ref is bad input (exit 2)", () => {
            const project = gitProject({ "Pulumi.production.yaml": rollback });
            const { code, stderr } = runPinstack(["ci", "hold-gate", "-s", "production", "--deployed-ref", "deadbeef"], { cwd: project.dir });
            assert.equal(code, 2);
            assert.match(stderr, /unknown git ref 'deadbeef'/);
        });
    });
});
