/**
 * METASPACE's production release process, walked with pinstack, git and the real Pulumi CLI:
 * the release branch only fast-forwards to master (a diverged release is refused), minor vs
 * patch, release notes in the tag, one deployment strategy per service and release (in-place;
 * reindex into the inactive index then swap; fork and swap with read-only mode) with their
 * migrations, and the deployment history read back with `pinstack history`.
 *
 *   npx mocha --timeout 600000 examples/metaspace/metaspace.test.ts
 */
import * as assert from "assert";
import { assertRefused, ExampleProject, jsonLines, Run } from "../support/harness";

const REGISTRY = "ghcr.io";
const SERVICES = ["webapp", "graphql", "engine"] as const;
const NS = "metaspace";
const REINDEX = ["python", "-m", "scripts.update_es_index", "--inactive", "--ds-name", "%' ORDER BY id DESC; --"];

describe("examples/metaspace: release branch, minor or patch, three strategies, deployment history", function () {
    this.timeout(600_000);
    let project: ExampleProject;
    let app = ""; // the metaspace repository
    const image: Record<string, string> = {};

    before(async () => {
        project = await ExampleProject.create("metaspace", { stacks: ["staging", "production"], registryHost: REGISTRY });
        for (const service of SERVICES) image[service] = project.image(`${REGISTRY}/metaspace2020/sm-${service}`);
        app = project.gitRepository("metaspace");
        project.git(["checkout", "--quiet", "-b", "master"], app);
        project.git(["commit", "--quiet", "--allow-empty", "-m", "[Task] Release 1.7.5 work #900"], app);
        project.git(["tag", "1.7.5", "-m", "Release 1.7.5"], app);
        project.git(["branch", "release"], app);
        project.git(["commit", "--quiet", "--allow-empty", "-m", "[Task] Dataset filters in the annotation table #921"], app);
        project.git(["commit", "--quiet", "--allow-empty", "-m", "[Bug] Molecule search returns duplicates #922"], app);
    });
    after(async () => project?.remove());

    /**
     * CI's release-branch step: `pinstack ci release-branch` refuses a release that diverged
     * from master, then git moves it (`fetch . master:release` only fast-forwards, like
     * `git merge --ff-only`, without checking release out).
     */
    function fastForward(release = "release", onto = "master"): Run {
        const gate = project.pinstack(["ci", "release-branch", "--repo", app, "--release", release, "--onto", onto]);
        if (gate.code === 0) project.git(["fetch", "--quiet", ".", `${onto}:${release}`], app);
        return gate;
    }

    /** CI builds the release's images; staging runs them (a reviewed change, then `pulumi up`). */
    async function releaseToStaging(version: string): Promise<void> {
        for (const service of SERVICES) {
            const digest = await project.publish(image[service], version);
            project.setIn("staging", ["pinstack:services", service, "tag"], version);
            project.setIn("staging", ["pinstack:services", service, "digest"], digest);
        }
        project.commit(`Staging: release ${version}`, ["Pulumi.staging.yaml"]);
        project.up("staging", `release ${version}`);
    }

    it("refusal: a release branch that diverged from master is not fast-forwarded", () => {
        project.git(["checkout", "--quiet", "release"], app);
        project.git(["commit", "--quiet", "--allow-empty", "-m", "[Bug] Hotfix: dataset upload timeout #930"], app);
        project.git(["checkout", "--quiet", "master"], app);
        const before = project.git(["rev-parse", "release"], app);
        assertRefused(fastForward(), 1, /release has 1 commit that master does not/, /Hotfix: dataset upload timeout/);
        assert.strictEqual(project.git(["rev-parse", "release"], app), before, "release did not move");
        assertRefused(fastForward("release", "no-such-branch"), 2, /no branch 'no-such-branch'/);
    });

    it("update the release branch: hotfix merged back into master, then release fast-forwards", () => {
        project.git(["merge", "--quiet", "--no-edit", "release"], app); // git switch master && git merge release
        const run = fastForward();
        assert.strictEqual(run.code, 0, run.stderr);
        assert.match(run.stdout, /^passed: release \([0-9a-f]{12}\) fast-forwards to master/);
        assert.strictEqual(project.git(["rev-parse", "release"], app), project.git(["rev-parse", "master"], app));
        assert.match(fastForward().stdout, /^passed: release is at master/);
    });

    it("release tag: patch unless a milestone or breaking change (minor), with the release notes in the tag", () => {
        const bump = (...args: string[]) => project.expectPinstack(0, ["-C", app, "bump", ...args]).stdout.trim();
        assert.strictEqual(bump("auto"), "1.7.6", "no milestone: patch");
        assert.strictEqual(bump("auto", "--milestone"), "1.8.0");
        assert.strictEqual(bump("auto", "--breaking"), "1.8.0");
        assert.strictEqual(bump("patch"), "1.7.6");
        assert.strictEqual(bump("minor", "1.7.6"), "1.8.0");
        const notes = project.expectPinstack(0, ["-C", app, "notes", "1.7.5", "release"]).stdout;
        assert.match(notes, /\[Task\] Dataset filters in the annotation table #921/);
        assert.match(notes, /\[Bug\] Molecule search returns duplicates #922/);
        project.git(["tag", "1.7.6", "release", "-m", `Release notes:\n${notes}`], app);
        assert.match(project.git(["tag", "-l", "-n20", "1.7.6"], app), /#921[\s\S]*#922/);
        assert.strictEqual(bump("auto"), "1.7.7", "the next release counts from the new tag");
    });

    it("1.7.6, in-place: promoted from staging, rolled out with graphql's migrations Job first", async () => {
        await releaseToStaging("1.7.6");
        project.expectPinstack(0, ["promote", "staging", "production", "--reason", "Release 1.7.6 (patch): in-place deployment"]);
        project.commit("Release 1.7.6: promote to production (in-place)");
        project.up("production", "Release 1.7.6 (in-place)");
        const manifests = project.manifests("production");
        for (const service of SERVICES) {
            const deployment = manifests.get("Deployment", NS, service);
            assert.match(deployment.spec.template.spec.containers[0].image, new RegExp(`:1\\.7\\.6@sha256:`));
            assert.deepStrictEqual(deployment.spec.strategy, { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } });
        }
        const jobs = manifests.all("Job");
        assert.deepStrictEqual(jobs.map((j) => j.spec.template.spec.containers[0].command), [["yarn", "run", "migrate"]]);
        assert.strictEqual(jobs[0].spec.template.spec.containers[0].image, manifests.image(NS, "graphql"), "the Job runs the new image");
    });

    it("1.8.0: engine reindexes into the inactive index then swaps; the web tier forks and swaps in read-only mode", async () => {
        await releaseToStaging("1.8.0");
        // The strategy is chosen in the release's own reviewed change, next to the promotion.
        project.setIn("production", ["pinstack:services", "engine", "migrations"], { command: REINDEX });
        project.setIn("production", ["pinstack:services", "engine", "env", "ES_ACTIVE_INDEX"], "sm-b");
        project.setIn("production", ["pinstack:services", "webapp", "strategy"], "blue-green");
        project.setIn("production", ["pinstack:services", "webapp", "activeColor"], "blue");
        project.setIn("production", ["pinstack:services", "graphql", "strategy"], "read-only");
        project.setIn("production", ["pinstack:services", "graphql", "readOnly"], true);
        project.expectPinstack(0, ["promote", "staging", "production", "--reason", "Release 1.8.0 (minor: new ElasticSearch fields #940): reindex, fork and swap"]);
        const webapp = project.stackConfig("production")["pinstack:services"].webapp;
        assert.deepStrictEqual([webapp.tag, webapp.previous.tag, webapp.activeColor], ["1.8.0", "1.7.6", "green"], "the fork runs on the idle colour");
        project.commit("Release 1.8.0: promote to production (reindex + swap, fork + swap, read-only)");
        project.up("production", "Release 1.8.0 (read-only window open)");

        const manifests = project.manifests("production");
        // Reindex, then swap: the Job fills the inactive index, the new pods read it.
        const reindex = manifests.all("Job").find((j) => j.metadata.name.startsWith("engine-migrate-"));
        assert.ok(reindex, "an engine migrations Job");
        const container = reindex.spec.template.spec.containers[0];
        assert.deepStrictEqual(container.command, REINDEX);
        assert.match(container.image, /sm-engine:1\.8\.0@/);
        assert.ok(container.env.some((e: any) => e.name === "ES_ACTIVE_INDEX" && e.value === "sm-b"));
        assert.strictEqual(manifests.env(NS, "engine").ES_ACTIVE_INDEX, "sm-b");
        // Fork and swap: the old colour keeps 1.7.6, the Service points at the new one.
        assert.match(manifests.image(NS, "webapp-blue"), /sm-webapp:1\.7\.6@/);
        assert.match(manifests.image(NS, "webapp-green"), /sm-webapp:1\.8\.0@/);
        assert.strictEqual(manifests.get("Service", NS, "webapp").spec.selector["pinstack.dev/color"], "green");
        // Read-only mode while graphql's migrations run.
        assert.strictEqual(manifests.get("ConfigMap", NS, "graphql-config").data.READ_ONLY, "true");
        assert.ok(manifests.all("Job").some((j) => j.metadata.name.startsWith("graphql-migrate-") && /sm-graphql:1\.8\.0@/.test(j.spec.template.spec.containers[0].image)));
    });

    it("confirmed on the new version: read-only mode off", () => {
        project.setIn("production", ["pinstack:services", "graphql", "readOnly"], false);
        project.commit("Release 1.8.0 verified: turn read-only mode off");
        project.up("production", "Release 1.8.0: read-only mode off");
        assert.strictEqual(project.manifests("production").get("ConfigMap", NS, "graphql-config").data.READ_ONLY, "false");
    });

    it("deployment history: `pinstack history production` lists each release with its reason and update", () => {
        const entries = jsonLines(project.expectPinstack(0, ["history", "production", "--json"]).stdout);
        const changes = entries.filter((e) => e.type === "change");
        const deployed = (message: RegExp) => {
            const entry = changes.find((e) => message.test(e.message));
            assert.ok(entry, `no change "${message}" in:\n${changes.map((e) => e.message).join("\n")}`);
            return entry;
        };
        const patch = deployed(/^Release 1\.7\.6/);
        assert.strictEqual(patch.command, "promote");
        assert.strictEqual(patch.reason, "Release 1.7.6 (patch): in-place deployment");
        assert.deepStrictEqual(patch.updates.map((u: any) => [u.result, u.message]), [["succeeded", "Release 1.7.6 (in-place)"]]);
        const minor = deployed(/^Release 1\.8\.0: promote/);
        assert.match(minor.reason, /new ElasticSearch fields #940/);
        assert.deepStrictEqual(minor.changes.map((c: any) => [c.name, c.before?.tag, c.after?.tag]).sort(), [["engine", "1.7.6", "1.8.0"], ["graphql", "1.7.6", "1.8.0"], ["webapp", "1.7.6", "1.8.0"]]);
        assert.strictEqual(minor.updates[0]?.result, "succeeded");
        assert.strictEqual(deployed(/read-only mode off/).updates[0]?.message, "Release 1.8.0: read-only mode off");
        // Newest first.
        assert.ok(changes.indexOf(minor) < changes.indexOf(patch));
    });
});
