/**
 * Merino's release process, walked with pinstack and the real Pulumi CLI: the commit hash is
 * the version, stage then prod, version.json (`__version__`) shows the deployed commit, the
 * `[load test: abort|skip|warn]` label's four behaviours, and the rollback runbook.
 *
 *   npx mocha --timeout 600000 examples/merino/merino.test.ts
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { assertRefused, ExampleProject, jsonLines, repoRoot } from "../support/harness";

const PACK = path.join(repoRoot, "policies");

const REGISTRY = "docker.io";
const DEPLOYED = "5f0c1a9b7e2d4c6a8b0f1e3d5c7a9b2d4f6e8a0c"; // what prod runs at the start (Pulumi.prod.yaml)
const MERGE_MESSAGE = "Merge pull request #812 from mozilla/DISCO-2810-faster-suggest\n\nServe suggestions from the new index\n\n[load test: abort]";

describe("examples/merino: the commit is the version, stage then prod, load-test label, rollback", function () {
    this.timeout(600_000);
    let project: ExampleProject;
    let IMAGE = "";
    let app = ""; // the merino-py repository
    let release = ""; // the merged commit being released

    before(async () => {
        project = await ExampleProject.create("merino", { stacks: ["stage", "prod"], registryHost: REGISTRY });
        IMAGE = project.image(`${REGISTRY}/mozilla/merino-py`);
        app = project.gitRepository("merino-py");
        project.git(["commit", "--quiet", "--allow-empty", "-m", "Initial commit"], app);
    });
    after(async () => project?.remove());

    /**
     * What CI hands the pack for a prod deploy: examples/merino/policies/config.prod.json (prod's
     * pins come from `stage`, the acceptance and branch gates of other runbooks are off) with the
     * deployed facts, and the load test's outcome on stage for the label of the merged commit.
     */
    function policyConfig(outcome: "passed" | "failed"): string {
        const outputs = path.join(project.root, "outputs.prod.json");
        fs.writeFileSync(outputs, project.pulumi(["stack", "output", "--stack", "prod", "--json"]).stdout);
        const config = JSON.parse(project.expectPinstack(0, ["ci", "policy-config", "--stack", "prod", "--outputs", outputs]).stdout);
        config["load-test-gate"] = { ...config["load-test-gate"], loadTest: "abort", loadTestResult: outcome, strictGates: true };
        const file = path.join(project.root, `policy-config.prod.${outcome}.json`);
        fs.writeFileSync(file, JSON.stringify(config, null, 2));
        return file;
    }

    function versionJson(stack: string) {
        return project.manifests(stack).versionJson(`merino-${stack}`, "merino");
    }

    it("prod runs the commit its stack file pins, and version.json (__version__) says so", () => {
        project.up("prod", `prod at ${DEPLOYED.slice(0, 7)}`);
        const version = versionJson("prod");
        assert.deepStrictEqual([version.version, version.commit, version.promotedFrom], [DEPLOYED, DEPLOYED, "stage"]);
    });

    it("a merge to main: the image is tagged with `git rev-parse HEAD` and deployed to stage", async () => {
        project.git(["commit", "--quiet", "--allow-empty", "-m", MERGE_MESSAGE], app);
        release = project.git(["rev-parse", "HEAD"], app).trim();
        const digest = await project.publish(IMAGE, release);
        for (const [key, value] of [["tag", release], ["digest", digest], ["commit", release]]) project.setIn("stage", ["pinstack:services", "merino", key], value);
        project.commit(`CI: deploy ${release.slice(0, 7)} to stage`);
        project.expectPinstack(0, ["check", "--stack", "stage"]);
        project.up("stage", `CI: ${release}`);
        const version = versionJson("stage");
        assert.strictEqual(version.commit, release, "stage serves the latest commit on main");
        assert.strictEqual(project.manifests("stage").image("merino-stage", "merino"), `${IMAGE}:${release}@${digest}`);
        // Anything that is not a commit hash is refused as a version.
        assertRefused(project.pinstack(["verify-image", `${IMAGE}:main`, "--stack", "stage", "--service", "merino"]), 1, /no-mutable-tags|tag-scheme/);
    });

    it("the load-test label: abort, skip, warn, and no label (run and warn)", () => {
        const label = (message: string) => jsonLines(project.expectPinstack(0, ["ci", "load-test-label", "--message", message, "--json"]).stdout)[0];
        assert.deepStrictEqual(label(MERGE_MESSAGE), { mode: "abort", source: "label", label: "[load test: abort]" });
        assert.strictEqual(label("Merge pull request #9\n\n[load test: skip]").mode, "skip");
        assert.strictEqual(label("Merge pull request #9\n\n[load test: warn]").mode, "warn");
        assert.deepStrictEqual(label("Merge pull request #9 from mozilla/docs"), { mode: "warn", source: "default", label: null });
        // A misspelt label is not guessed at.
        assertRefused(project.pinstack(["ci", "load-test-label", "--message", "Merge #9 [load test: abrot]"]), 2, /abrot/);

        // What each mode does with the load test's outcome on stage, for prod.
        const gate = (mode: string, outcome: string) => {
            const run = project.pinstack(["ci", "load-test-gate", "--stack", "prod", "--mode", mode, "--outcome", outcome, "--json"]);
            const verdict = jsonLines(run.stdout)[0] ?? {};
            return [run.code, verdict.deploy, verdict.level];
        };
        assert.deepStrictEqual(gate("abort", "passed"), [0, true, "notice"]);
        assert.deepStrictEqual(gate("abort", "failed"), [1, false, "error"], "abort: a failed load test stops the deployment");
        assert.deepStrictEqual(gate("skip", "not-run"), [0, true, "notice"], "skip: no load test at all");
        assert.deepStrictEqual(gate("warn", "failed"), [0, true, "warning"], "warn: deploy, and warn");
        const defaultMode = label("Merge pull request #9 from mozilla/docs").mode;
        assert.deepStrictEqual(gate(defaultMode, "failed"), [0, true, "warning"], "no label: run the test and warn");
    });

    it("refusal: with [load test: abort] and a failed load test, prod is refused (rules and promotion)", () => {
        const failed = ["--commit-message", MERGE_MESSAGE, "--gate", "loadTestPassed=false"];
        assertRefused(project.pinstack(["check", "--stack", "prod", ...failed]), 1, /load-test-gate/);
        // Recorded in the stack's gates (as CI records the outcome), promotion refuses too.
        const before = project.read("Pulumi.prod.yaml");
        project.setIn("prod", ["pinstack:gates"], { loadTest: "abort", loadTestPassed: false });
        const edited = project.read("Pulumi.prod.yaml");
        assertRefused(project.pinstack(["promote", "stage", "prod", "--service", "merino", "--reason", "ship it"]), 1, /load-test-gate/);
        assert.strictEqual(project.read("Pulumi.prod.yaml"), edited, "a refused promotion writes nothing");
        project.write("Pulumi.prod.yaml", before);
    });

    it("load test passed: promote stage -> prod, deploy, and __version__ shows the new commit", () => {
        project.expectPinstack(0, ["ci", "load-test-gate", "--stack", "prod", "--mode", "abort", "--outcome", "passed"]);
        project.expectPinstack(0, ["promote", "stage", "prod", "--service", "merino", "--reason", `Merge pull request #812 (${release.slice(0, 7)}); load test passed on stage`]);
        const pin = project.stackConfig("prod")["pinstack:services"].merino;
        assert.deepStrictEqual([pin.tag, pin.commit, pin.provenance.from], [release, release, "stage"]);
        project.commit(`Promote merino ${release.slice(0, 7)} to prod`);
        // The pack checks the deploy too: pins promoted from stage, sealed; the load-test gate.
        const refused = project.pulumi(["preview", "--stack", "prod", "--policy-pack", PACK, "--policy-pack-config", policyConfig("failed")], { allowFailure: true });
        assert.notStrictEqual(refused.code, 0, `a failed load test under [load test: abort] refuses the deploy\n${refused.stdout}\n${refused.stderr}`);
        assert.match(refused.stdout + refused.stderr, /load-test-gate/);
        project.up("prod", `Deploy ${release} to prod`, ["--policy-pack", PACK, "--policy-pack-config", policyConfig("passed")]);
        const version = versionJson("prod");
        assert.deepStrictEqual([version.commit, version.promotedFrom], [release, "stage"]);
    });

    it("rollback runbook: `pinstack rollback prod` restores the last good commit and holds prod", () => {
        project.expectPinstack(0, ["rollback", "prod", "--reason", "5xx on /api/v1/suggest after #812 (INC-77)"]);
        const config = project.stackConfig("prod");
        assert.strictEqual(config["pinstack:hold"], true);
        assert.match(config["pinstack:holdReason"], /INC-77/);
        const pin = config["pinstack:services"].merino;
        assert.deepStrictEqual([pin.tag, pin.commit, pin.provenance.rollback], [DEPLOYED, DEPLOYED, true]);
        project.commit("Roll back prod (INC-77)");
        project.expectPinstack(0, ["check", "--stack", "prod"]);
        project.up("prod", "Rollback to the last good commit (INC-77)");
        assert.strictEqual(versionJson("prod").commit, DEPLOYED, "__version__ shows the commit rolled back to");
    });

    it("refusal: while prod is on hold no promotion passes, until `pinstack hold prod --clear`", () => {
        const before = project.read("Pulumi.prod.yaml");
        assertRefused(project.pinstack(["promote", "stage", "prod", "--service", "merino", "--reason", "retry #812"]), 1, /on hold/);
        assert.strictEqual(project.read("Pulumi.prod.yaml"), before);
        project.expectPinstack(0, ["hold", "prod", "--clear", "--reason", "INC-77 resolved: the fix is in #815"]);
        assert.strictEqual(project.stackConfig("prod")["pinstack:hold"], false);
        project.commit("Lift the hold on prod (INC-77 resolved)");
        project.expectPinstack(0, ["promote", "stage", "prod", "--service", "merino", "--reason", "retry #812", "--dry-run"]);
        assert.strictEqual(project.read("Pulumi.prod.yaml").includes("retry #812"), false, "--dry-run writes nothing");
    });
});
