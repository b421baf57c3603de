import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import { threeStacks } from "./fixtures";
import { ensureBuilt, removeTempProjects, runPinstack, snapshot, tempProject, TempProject } from "./helpers";

/** A real git repository with one commit on `master` (the application's clone, not the project). */
function appRepo(): TempProject & { git(...args: string[]): string; commit(message: string): string } {
    const repo = tempProject({});
    const env = { ...process.env, GIT_AUTHOR_NAME: "Ana", GIT_AUTHOR_EMAIL: "ana@example.org", GIT_COMMITTER_NAME: "Ana", GIT_COMMITTER_EMAIL: "ana@example.org" };
    const git = (...args: string[]) => execFileSync("git", ["-C", repo.dir, ...args], { encoding: "utf8", env, stdio: ["ignore", "pipe", "pipe"] });
    git("init", "-q", "-b", "master");
    git("config", "commit.gpgsign", "false");
    git("config", "tag.gpgsign", "false");
    const commit = (message: string) => {
        git("commit", "-q", "--allow-empty", "-m", message);
        return git("rev-parse", "HEAD").trim();
    };
    commit("first");
    return Object.assign(repo, { git, commit });
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"));

describe("pinstack ci gate commands (as a process, real git)", function () {
    this.timeout(120_000);
    before(ensureBuilt);
    after(removeTempProjects);

    describe("ci release-branch", () => {
        it("passes when release is behind master (a fast-forward), and writes the result with its commits", () => {
            const repo = appRepo();
            repo.git("branch", "release");
            const master = repo.commit("feature on master");
            const release = repo.git("rev-parse", "release").trim();
            const out = tempProject({});
            const { code, stdout, stderr } = runPinstack(["ci", "release-branch", "--repo", repo.dir, "-o", out.file("rb.json")]);
            assert.equal(code, 0, stderr);
            assert.match(stdout, /^passed: release \([0-9a-f]{12}\) fast-forwards to master/);
            const result = readJson(out.file("rb.json"));
            assert.equal(result.kind, "pinstack-gate-result");
            assert.equal(result.gate, "release-branch");
            assert.equal(result.outcome, "passed");
            assert.deepEqual(result.source, { repository: repo.dir, branch: "release", onto: "master", commit: release, ontoCommit: master });
            // Read-only: the release branch did not move.
            assert.equal(repo.git("rev-parse", "release").trim(), release);
        });

        it("fails (exit 1) when release diverged, naming the commits master lacks; the result is still written", () => {
            const repo = appRepo();
            repo.git("checkout", "-q", "-b", "release");
            repo.commit("hotfix only on release");
            repo.git("checkout", "-q", "master");
            repo.commit("feature on master");
            const out = tempProject({});
            const { code, stdout } = runPinstack(["ci", "release-branch", "--repo", repo.dir, "--json", "-o", out.file("rb.json")]);
            assert.equal(code, 1);
            const line = JSON.parse(stdout);
            assert.equal(line.outcome, "failed");
            assert.match(line.message, /release has 1 commit that master does not \([0-9a-f]+ hotfix only on release\): merge release into master first/);
            assert.equal(readJson(out.file("rb.json")).outcome, "failed");
            // Long divergence: the newest ten, and a count of the rest.
            repo.git("checkout", "-q", "release");
            for (let i = 1; i <= 11; i++) repo.commit(`hotfix ${i}`);
            const long = runPinstack(["ci", "release-branch", "--repo", repo.dir]);
            assert.equal(long.code, 1);
            assert.match(long.stdout, /release has 12 commits that master does not \([0-9a-f]+ hotfix 11; .*; [0-9a-f]+ hotfix 2; and 2 more\)/);
        });

        it("a missing branch or a directory that is not a repository is bad input (exit 2), nothing written", () => {
            const repo = appRepo();
            const out = tempProject({});
            const missing = runPinstack(["ci", "release-branch", "--repo", repo.dir, "--release", "relase", "-o", out.file("rb.json")]);
            assert.equal(missing.code, 2);
            assert.match(missing.stderr, /no branch 'relase'/);
            const notRepo = runPinstack(["ci", "release-branch", "--repo", out.dir, "-o", out.file("rb.json")]);
            assert.equal(notRepo.code, 2);
            assert.match(notRepo.stderr, /not a git repository/);
            assert.deepEqual(snapshot(out.dir), {});
        });

        it("reads origin's branch when the checkout has no local one (a CI clone)", () => {
            const upstream = appRepo();
            upstream.git("branch", "release");
            upstream.commit("on master");
            const clone = tempProject({});
            execFileSync("git", ["clone", "-q", upstream.dir, clone.file("app")]);
            const { code, stdout, stderr } = runPinstack(["ci", "release-branch", "--repo", clone.file("app")]);
            assert.equal(code, 0, stderr);
            assert.match(stdout, /^passed: /);
        });
    });

    describe("ci branch-tag", () => {
        const IMAGE = "ghcr.io/example/backend";
        function tagged() {
            const repo = appRepo();
            repo.git("checkout", "-q", "-b", "production");
            repo.commit("release 2023.05.1");
            repo.git("tag", "2023.05.1");
            repo.git("checkout", "-q", "master");
            repo.commit("work in progress");
            repo.git("tag", "2023.06.0");
            return repo;
        }

        it("passes for a tag on the production branch; the result gives production-branch-tag its tag", () => {
            const repo = tagged();
            const out = tempProject({});
            const { code, stdout, stderr } = runPinstack(["ci", "branch-tag", "--repo", repo.dir, "--tag", "2023.05.1", "--image", IMAGE, "-o", out.file("t.json")]);
            assert.equal(code, 0, stderr);
            assert.match(stdout, /^passed: tag 2023\.05\.1 \([0-9a-f]{12}\) is on production/);
            const result = readJson(out.file("t.json"));
            assert.deepEqual(result.gates, { productionBranchTags: { [IMAGE]: ["2023.05.1"] } });
            assert.equal(result.source.tag, "2023.05.1");
            assert.equal(result.source.commit, repo.git("rev-parse", "2023.05.1^{commit}").trim());
        });

        it("fails (exit 1) for a tag only on master; any of several --branch may hold it", () => {
            const repo = tagged();
            const out = tempProject({});
            const off = runPinstack(["ci", "branch-tag", "--repo", repo.dir, "--tag", "2023.06.0", "--image", IMAGE, "-o", out.file("t.json")]);
            assert.equal(off.code, 1);
            assert.match(off.stdout, /^failed: tag 2023\.06\.0 .* is on none of production/);
            assert.deepEqual(readJson(out.file("t.json")).gates, { productionBranchTags: { [IMAGE]: [] } });
            const either = runPinstack(["ci", "branch-tag", "--repo", repo.dir, "--tag", "2023.06.0", "--image", IMAGE, "--branch", "production", "--branch", "master"]);
            assert.equal(either.code, 0, either.stderr);
            assert.match(either.stdout, /is on master/);
        });

        it("an unknown tag or branch is bad input (exit 2)", () => {
            const repo = tagged();
            const tag = runPinstack(["ci", "branch-tag", "--repo", repo.dir, "--tag", "9.9.9", "--image", IMAGE]);
            assert.equal(tag.code, 2);
            assert.match(tag.stderr, /no tag '9\.9\.9'/);
            const branch = runPinstack(["ci", "branch-tag", "--repo", repo.dir, "--tag", "2023.05.1", "--image", IMAGE, "--branch", "prod"]);
            assert.equal(branch.code, 2);
            assert.match(branch.stderr, /no branch 'prod'/);
        });
    });

    describe("ci acceptance-checklist", () => {
        const ISSUE = [
            "# Release version 2.1.3",
            "<!-- tick each box: - [ ] like this -->",
            "```",
            "- [ ] an example inside a code block",
            "```",
            "- [x] Check the pipeline status",
            "* [X] Update the change log",
            "1. [ ] Run the acceptance tests on playground",
            "- [ ] Trigger the production deployment",
            "",
        ].join("\n");

        it("lists the unchecked boxes with their lines (exit 1); boxes in comments and code are not items", () => {
            const issue = tempProject({ "issue.md": ISSUE });
            const { code, stdout } = runPinstack(["ci", "acceptance-checklist", "--issue", issue.file("issue.md"), "-o", issue.file("a.json")]);
            assert.equal(code, 1);
            assert.match(stdout, /2 of 4 checklist items open: line 8: Run the acceptance tests on playground; line 9: Trigger the production deployment/);
            assert.deepEqual(readJson(issue.file("a.json")).gates, { acceptanceComplete: false });
        });

        it("passes when every box is ticked, from GitHub's JSON on stdin and GitLab's from a file", () => {
            const done = ISSUE.replace(/\[ \] Run/, "[x] Run").replace(/\[ \] Trigger/, "[x] Trigger");
            const github = runPinstack(["ci", "acceptance-checklist", "--issue-json", "-", "--json"], { input: JSON.stringify({ number: 42, title: "Release version 2.1.3", body: done, html_url: "https://github.com/o/r/issues/42" }) });
            assert.equal(github.code, 0, github.stderr);
            const line = JSON.parse(github.stdout);
            assert.equal(line.outcome, "passed");
            assert.deepEqual(line.source, { issue: "#42 Release version 2.1.3", url: "https://github.com/o/r/issues/42", items: "4", open: "0" });
            const gitlab = tempProject({ "issue.json": JSON.stringify({ iid: 7, title: "Release", description: done.replace("\n", "\r\n") }) });
            const fromFile = runPinstack(["ci", "acceptance-checklist", "--issue-json", gitlab.file("issue.json")]);
            assert.equal(fromFile.code, 0, fromFile.stderr);
            assert.match(fromFile.stdout, /^passed: #7 Release: all 4 checklist items done/);
        });

        it("an issue without boxes fails; malformed JSON or JSON without text is bad input (exit 2), nothing written", () => {
            const dir = tempProject({ "empty.md": "# Release\nnothing to tick\n", "bad.json": "{ not json", "notext.json": JSON.stringify({ title: "x", body: null }) });
            const empty = runPinstack(["ci", "acceptance-checklist", "--issue", dir.file("empty.md")]);
            assert.equal(empty.code, 1);
            assert.match(empty.stdout, /no checklist items/);
            const before = snapshot(dir.dir);
            const bad = runPinstack(["ci", "acceptance-checklist", "--issue-json", dir.file("bad.json"), "-o", dir.file("a.json")]);
            assert.equal(bad.code, 2);
            assert.match(bad.stderr, /bad\.json: not JSON/);
            const noText = runPinstack(["ci", "acceptance-checklist", "--issue-json", dir.file("notext.json"), "-o", dir.file("a.json")]);
            assert.equal(noText.code, 2);
            assert.match(noText.stderr, /neither GitHub's "body" nor GitLab's "description"/);
            assert.equal(runPinstack(["ci", "acceptance-checklist"]).code, 2);
            assert.deepEqual(snapshot(dir.dir), before);
        });
    });

    describe("check --gates: the results fed to the rules", () => {
        /** The project (threeStacks: production pins backend 2023.04.2 and api 1.4.1) and the results CI would write. */
        function release() {
            const project = tempProject(threeStacks());
            const results: Record<string, string> = {};
            for (const [name, tag] of [["backend", "2023.04.2"], ["api", "1.4.1"]]) {
                const repo = appRepo();
                repo.git("checkout", "-q", "-b", "production");
                repo.commit(`release ${tag}`);
                repo.git("tag", tag);
                repo.git("checkout", "-q", "master");
                repo.commit("next");
                repo.git("tag", `${tag}-next`);
                results[name] = project.file(`${name}-tag.json`);
                assert.equal(runPinstack(["ci", "branch-tag", "--repo", repo.dir, "--tag", tag, "--image", `ghcr.io/example/${name}`, "-o", results[name]]).code, 0);
                results[`${name}-off`] = project.file(`${name}-off.json`);
                assert.equal(runPinstack(["ci", "branch-tag", "--repo", repo.dir, "--tag", `${tag}-next`, "--image", `ghcr.io/example/${name}`, "-o", results[`${name}-off`]]).code, 1);
            }
            project.write("issue.md", "# Release\n- [x] acceptance tests\n- [x] change log\n");
            project.write("open.md", "# Release\n- [x] acceptance tests\n- [ ] change log\n");
            results.accepted = project.file("accepted.json");
            results.open = project.file("open.json");
            runPinstack(["ci", "acceptance-checklist", "--issue", project.file("issue.md"), "-o", results.accepted]);
            runPinstack(["ci", "acceptance-checklist", "--issue", project.file("open.md"), "-o", results.open]);
            const check = (...files: string[]) => runPinstack(["check", "--stack", "production", ...files.flatMap((f) => ["--gates", results[f] ?? f])], { cwd: project.dir });
            return { project, results, check };
        }

        it("every result passed: production passes, strictly (no --strict-gates needed)", () => {
            const { check } = release();
            const run = check("accepted", "backend", "api");
            assert.equal(run.code, 0, run.stdout + run.stderr);
            assert.match(run.stdout, /production: ok, 0 errors/);
        });

        it("a missing result refuses by default with --gates; --no-strict-gates lets it pass", () => {
            const { project, results } = release();
            const args = ["check", "--stack", "production", "--gates", results.accepted, "--gates", results.backend];
            const strict = runPinstack(args, { cwd: project.dir });
            assert.equal(strict.code, 1, strict.stdout);
            assert.match(strict.stdout, /\[production-branch-tag\] no production-branch tags were given for ghcr\.io\/example\/api/);
            const lax = runPinstack([...args, "--no-strict-gates"], { cwd: project.dir });
            assert.equal(lax.code, 0, lax.stdout + lax.stderr);
        });

        it("a failed result refuses through its rule: a tag off the branch, an open checklist", () => {
            const { check } = release();
            const off = check("accepted", "backend-off", "api");
            assert.equal(off.code, 1);
            assert.match(off.stdout, /\[production-branch-tag\] .*tag '2023\.04\.2' is not on the production branch of ghcr\.io\/example\/backend/);
            // A pass of the same image does not outvote the failed check.
            assert.equal(check("accepted", "backend", "backend-off", "api").code, 1);
            const open = check("open", "backend", "api");
            assert.equal(open.code, 1);
            assert.match(open.stdout, /\[acceptance-checklist\] the release acceptance checklist is not complete/);
        });

        it("a failed release-branch result refuses; a malformed or hand-edited result file is bad input naming file and key", () => {
            const { project, check } = release();
            const repo = appRepo();
            repo.git("checkout", "-q", "-b", "release");
            repo.commit("hotfix");
            repo.git("checkout", "-q", "master");
            repo.commit("feature");
            assert.equal(runPinstack(["ci", "release-branch", "--repo", repo.dir, "-o", project.file("rb.json")]).code, 1);
            const diverged = check("accepted", "backend", "api", project.file("rb.json"));
            assert.equal(diverged.code, 1);
            assert.match(diverged.stderr, /rb\.json: the release-branch gate failed: release has 1 commit that master does not/);
            const edited = JSON.parse(project.read("open.json"));
            edited.gates.acceptanceComplete = true;
            project.write("edited.json", JSON.stringify(edited));
            const forged = check(project.file("edited.json"), "backend", "api");
            assert.equal(forged.code, 2);
            assert.match(forged.stderr, /edited\.json: gates\.acceptanceComplete: acceptance-checklist sets only acceptanceComplete, false for failed/);
            project.write("junk.json", "[1,");
            assert.equal(check(project.file("junk.json")).code, 2);
            assert.equal(check(project.file("absent.json")).code, 2);
        });
    });

    describe("ci policy-config --gates: the results in the pack's config", () => {
        it("adds the tags and the checklist, strict, to the stack's pack config; a malformed result is bad input, nothing written", () => {
            const project = tempProject({ "Pulumi.yaml": "name: pinstack\nruntime: nodejs\n", "policies/config.production.json": JSON.stringify({ "production-branch-tag": { enforcementLevel: "mandatory" } }), "issue.md": "- [x] done\n", "junk.json": "{}" });
            const repo = appRepo();
            repo.git("branch", "production");
            repo.git("tag", "1.0.0");
            assert.equal(runPinstack(["ci", "branch-tag", "--repo", repo.dir, "--tag", "1.0.0", "--image", "ghcr.io/x/app", "-o", project.file("tag.json")]).code, 0);
            assert.equal(runPinstack(["ci", "acceptance-checklist", "--issue", project.file("issue.md"), "-o", project.file("acc.json")]).code, 0);
            const run = runPinstack(["ci", "policy-config", "-s", "production", "--outputs", "-", "--gates", "tag.json", "--gates", "acc.json", "-o", "merged.json"], { cwd: project.dir, input: "{}" });
            assert.equal(run.code, 0, run.stderr);
            const merged = JSON.parse(project.read("merged.json"));
            assert.deepEqual(merged["production-branch-tag"], { enforcementLevel: "mandatory", productionBranchTags: { "ghcr.io/x/app": ["1.0.0"] }, strictGates: true });
            assert.deepEqual(merged["acceptance-checklist"], { acceptanceComplete: true, strictGates: true });
            const before = snapshot(project.dir);
            const bad = runPinstack(["ci", "policy-config", "-s", "production", "--outputs", "-", "--gates", "junk.json", "-o", "other.json"], { cwd: project.dir, input: "{}" });
            assert.equal(bad.code, 2);
            assert.match(bad.stderr, /junk\.json: kind: not a pinstack gate result/);
            assert.deepEqual(snapshot(project.dir), before);
        });
    });
});
