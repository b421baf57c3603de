/**
 * GWCelery's deployment runbook, walked with pinstack and the real Pulumi CLI:
 * playground follows master, a release is prepared from the tip of master (pipeline green,
 * change log, acceptance checklist on playground, vX.Y.Z tag, next change-log section), and
 * production is deployed by hand, only once the release's checklist is complete.
 *
 *   npx mocha --timeout 600000 examples/gwcelery/gwcelery.test.ts
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { loadStack } from "../../lib/config";
import { effectivePreset } from "../../lib/rules";
import { assertRefused, buildDigest, ExampleProject, jsonLines, repoRoot } from "../support/harness";
import { checkOff, releaseIssueFromTemplate } from "./checklist";

const REGISTRY = "containers.ligo.org";
const DEV_TAG = "v2.1.3-dev.1"; // a master build between releases
const RELEASE = "2.1.3";
const TAG = `v${RELEASE}`;
const RELEASE_DATE = "2024-05-02";
const PLAYGROUND_NS = "gwcelery-playground";
const PRODUCTION_NS = "gwcelery-production";

describe("examples/gwcelery: playground follows master, production by hand at a release", function () {
    this.timeout(600_000);
    let project: ExampleProject;
    let IMAGE = "";
    let issue = "";

    before(async () => {
        project = await ExampleProject.create("gwcelery", { stacks: ["playground", "production"], registryHost: REGISTRY });
        IMAGE = project.image(`${REGISTRY}/emfollow/gwcelery`);
    });
    after(async () => project?.remove());

    /** A green push to master: CI builds and pushes the image, writes its tag and digest into playground and deploys it. */
    async function pushToMaster(tag: string, message: string): Promise<void> {
        const digest = await project.publish(IMAGE, tag);
        assert.strictEqual(digest, buildDigest(IMAGE, tag));
        project.setIn("playground", ["pinstack:services", "gwcelery", "tag"], tag);
        project.setIn("playground", ["pinstack:services", "gwcelery", "digest"], digest);
        const commit = project.commit(message, ["Pulumi.playground.yaml"]);
        project.up("playground", `CI: deploy master ${commit.slice(0, 8)} to playground`);
    }

    it("playground follows master: a green push is deployed with the gwcelery.conf.playground preset", async () => {
        await pushToMaster(DEV_TAG, "Merge branch 'retraction-alerts' into 'master'");
        const manifests = project.manifests("playground");
        assert.strictEqual(manifests.image(PLAYGROUND_NS, "gwcelery"), `${IMAGE}:${DEV_TAG}@${buildDigest(IMAGE, DEV_TAG)}`);
        assert.strictEqual(manifests.env(PLAYGROUND_NS, "gwcelery").CELERY_CONFIG_MODULE, "gwcelery.conf.playground");
        assert.strictEqual(manifests.get("Deployment", PLAYGROUND_NS, "gwcelery").spec.replicas, 1);
        assert.strictEqual(manifests.versionJson(PLAYGROUND_NS, "gwcelery").version, DEV_TAG);
        // Production is not touched by the automation: no update, nothing rendered.
        assert.deepStrictEqual(project.stackHistory("production"), []);
        assert.ok(!fs.existsSync(project.file("out/production")));
        const rows = jsonLines(project.expectPinstack(0, ["status", "--json"]).stdout);
        const row = rows.find((r) => r.name === "gwcelery");
        assert.ok(row?.drift, `status shows the drift between playground and production: ${JSON.stringify(row)}`);
    });

    it("production only by hand: the presets say so, and CI deploys playground on push, production on dispatch only", () => {
        const deploy = (stack: string) => effectivePreset(loadStack(project.dir, stack)).deploy;
        assert.deepStrictEqual([deploy("playground"), deploy("production")], ["auto", "manual"]);
        const workflow = (name: string) => YAML.parse(fs.readFileSync(path.join(repoRoot, ".github", "workflows", name), "utf8"));
        const main = workflow("main.yml");
        assert.deepStrictEqual(main.on.push.branches, ["main"]);
        assert.strictEqual(main.jobs.playground.with.stack, "playground");
        assert.ok(!Object.values<any>(main.jobs).some((job) => job.with?.stack === "production"), "main.yml never deploys production");
        const production = workflow("production.yml");
        assert.deepStrictEqual(Object.keys(production.on), ["workflow_dispatch"], "production runs only when someone starts it");
        assert.strictEqual(production.jobs.deploy.with.stack, "production");
    });

    it("refusal: a master build (prerelease tag) cannot be promoted to production", () => {
        const before = project.read("Pulumi.production.yaml");
        const run = project.pinstack(["promote", "playground", "production", "--service", "gwcelery", "--reason", "try the dev build"]);
        assertRefused(run, 1, /no-prereleases|prerelease/);
        assert.strictEqual(project.read("Pulumi.production.yaml"), before, "a refused promotion writes nothing");
        assertRefused(project.pinstack(["verify-image", `${IMAGE}:${DEV_TAG}`, "--stack", "production", "--service", "gwcelery"]), 1, /no-prereleases/);
    });

    it("step 1, pipeline status: every stack passes pinstack check", () => {
        const run = project.expectPinstack(0, ["check", "--json"]);
        const summaries = jsonLines(run.stdout).filter((l) => l.type === "summary");
        assert.deepStrictEqual(summaries.map((s) => [s.stack, s.ok]), [["playground", true], ["production", true]]);
    });

    /**
     * CI's checklist step: the release issue as GitLab's API returns it, read by `pinstack ci
     * acceptance-checklist` (exit 1 while a box is open), its result written to `output`.
     */
    function checklistGate(text: string, output?: string): { code: number; result: any } {
        const issueJson = JSON.stringify({ iid: 42, title: `Release version ${RELEASE}`, description: text, web_url: "https://git.ligo.org/emfollow/gwcelery/-/issues/42" });
        const run = project.pinstack(["ci", "acceptance-checklist", "--issue-json", "-", "--json", ...(output ? ["-o", output] : [])], { input: issueJson });
        assert.ok(run.code === 0 || run.code === 1, `${run.stdout}\n${run.stderr}`);
        return { code: run.code, result: JSON.parse(run.stdout) };
    }

    /** Opens or updates the release issue and keeps production's gate in step with it (what a CI job on the issue does). */
    function syncReleaseIssue(text: string, message: string): void {
        issue = text;
        project.write(`release-issues/${RELEASE}.md`, issue);
        project.setIn("production", ["pinstack:gates", "acceptanceComplete"], checklistGate(issue).result.gates.acceptanceComplete);
        project.commit(message, ["release-issues", "Pulumi.production.yaml"]);
    }

    it("step 3, acceptance tests: opening the release issue closes production's gate until its checklist is done", () => {
        const template = project.read("release-checklist.md");
        assert.strictEqual(checklistGate(template).code, 1, "the template itself is not a completed checklist");
        syncReleaseIssue(releaseIssueFromTemplate(template, RELEASE), `Release version ${RELEASE} (#42): acceptance tests started`);
        syncReleaseIssue(checkOff(checkOff(issue, "pipeline on master is green"), "preliminary alert within 30 s"), `#42: 2 of 5 acceptance tests done`);
        const gateFile = path.join(project.root, "acceptance-checklist.json");
        const checklist = checklistGate(issue, gateFile);
        assert.strictEqual(checklist.code, 1);
        assert.deepStrictEqual([checklist.result.source.issue, checklist.result.source.items, checklist.result.source.open], [`#42 Release version ${RELEASE}`, "5", "3"]);
        assert.match(checklist.result.message, /3 of 5 checklist items open: line \d+: The skymap.*; line \d+: The retraction.*; line \d+: Flower shows/);
        assert.strictEqual(project.stackConfig("production")["pinstack:gates"].acceptanceComplete, false);
        assertRefused(project.pinstack(["check", "--stack", "production"]), 1, /acceptance-checklist/);
        // At deploy time CI hands the result in and a missing one counts as a failure.
        assertRefused(project.pinstack(["check", "--stack", "production", "--gates", gateFile]), 1, /acceptance-checklist/);
    });

    it("refusal: `pulumi preview -s production` stops while the checklist is open, before anything is rendered", () => {
        const run = project.pulumi(["preview", "--stack", "production"], { allowFailure: true });
        assert.notStrictEqual(run.code, 0, "the program refuses before creating anything");
        assert.match(run.stdout + run.stderr, /acceptance-checklist/);
        assert.ok(!fs.existsSync(project.file("out/production")), "nothing rendered");
    });

    it("steps 2, 4, 5: the change log is dated, the release tagged vX.Y.Z, the next section opened", () => {
        const before = project.read("CHANGES.rst");
        // A version the change log does not announce is refused, and nothing is written.
        assertRefused(project.pinstack(["changelog", "release", "2.1.4", "--date", RELEASE_DATE]), 1, /2\.1\.3/);
        assert.strictEqual(project.read("CHANGES.rst"), before);

        const run = project.expectPinstack(0, ["changelog", "release", RELEASE, "--date", RELEASE_DATE, "--json"]);
        assert.strictEqual(jsonLines(run.stdout)[0].next, "2.1.4");
        const text = project.read("CHANGES.rst");
        const sections = [...text.matchAll(/^(\d+\.\d+\.\d+) \(([^)]+)\)\n-+$/gm)].map((m) => `${m[1]} (${m[2]})`);
        assert.deepStrictEqual(sections, ["2.1.4 (unreleased)", `${RELEASE} (${RELEASE_DATE})`, "2.1.2 (2024-03-01)"]);
        assert.match(text, /2\.1\.4 \(unreleased\)\n-+\n\n-\s+No changes yet/);
        assert.match(text, /2\.1\.3 \(2024-05-02\)\n-+\n\n-\s+Send an alert/);
        project.commit(`Update changelog for version ${RELEASE}; closes #42`, ["CHANGES.rst"]);
        project.git(["tag", TAG, "-m", `Version ${RELEASE}`]);

        // The tag follows the service's scheme (semver-v), and the next provisional version is
        // the section just opened.
        assert.strictEqual(project.expectPinstack(0, ["bump", "patch"]).stdout.trim(), "v2.1.4");
        assertRefused(project.pinstack(["changelog", "release", RELEASE]), 1, /2\.1\.4/);
    });

    it("the tagged build reaches playground like every push", async () => {
        await pushToMaster(TAG, `Build ${TAG}`);
        assert.strictEqual(project.manifests("playground").image(PLAYGROUND_NS, "gwcelery"), `${IMAGE}:${TAG}@${buildDigest(IMAGE, TAG)}`);
    });

    it("refusal: the release cannot be promoted to production while the checklist is open", () => {
        const before = project.read("Pulumi.production.yaml");
        const run = project.pinstack(["promote", "playground", "production", "--service", "gwcelery", "--reason", `Release ${RELEASE}; closes #42`]);
        assertRefused(run, 1, /acceptance-checklist/);
        assert.strictEqual(project.read("Pulumi.production.yaml"), before, "a refused promotion writes nothing");
    });

    it("step 8: with the checklist complete, promote to production and deploy it by hand", () => {
        syncReleaseIssue(checkOff(issue, "- [ ]"), `#42: acceptance tests done`);
        const gateFile = path.join(project.root, "acceptance-checklist.json");
        assert.strictEqual(checklistGate(issue, gateFile).code, 0);
        project.expectPinstack(0, ["check", "--stack", "production", "--gates", gateFile]);

        project.expectPinstack(0, ["promote", "playground", "production", "--service", "gwcelery", "--reason", `Release ${RELEASE}; closes #42`]);
        const text = project.read("Pulumi.production.yaml");
        assert.match(text, /^# gwcelery\.conf\.production/m, "comments are kept");
        const pin = project.stackConfig("production")["pinstack:services"].gwcelery;
        assert.strictEqual(pin.tag, TAG);
        assert.strictEqual(pin.digest, buildDigest(IMAGE, TAG));
        assert.strictEqual(pin.provenance.from, "playground");
        assert.strictEqual(pin.provenance.reason, `Release ${RELEASE}; closes #42`);
        assert.deepStrictEqual(pin.env, { CELERY_CONFIG_MODULE: "gwcelery.conf.production" }, "the production preset's settings stay");
        project.commit(`Promote gwcelery ${TAG} to production`);

        project.up("production", `Manual deployment of ${TAG} (release issue #42)`);
        const manifests = project.manifests("production");
        assert.strictEqual(manifests.image(PRODUCTION_NS, "gwcelery"), `${IMAGE}:${TAG}@${buildDigest(IMAGE, TAG)}`);
        assert.strictEqual(manifests.env(PRODUCTION_NS, "gwcelery").CELERY_CONFIG_MODULE, "gwcelery.conf.production");
        const version = manifests.versionJson(PRODUCTION_NS, "gwcelery");
        assert.deepStrictEqual([version.version, version.promotedFrom], [TAG, "playground"]);
        const rows = jsonLines(project.expectPinstack(0, ["status", "--json"]).stdout);
        assert.strictEqual(rows.find((r) => r.name === "gwcelery")?.drift, false);
        assert.strictEqual(project.stackHistory("production")[0].message, `Manual deployment of ${TAG} (release issue #42)`);
    });
});
