/**
 * UKRDC's release process, walked with pinstack and the real Pulumi CLI: the ukrdc-services
 * pin moves 10.8.4 -> 10.8.5rc1 on staging (staging index) -> 10.8.5 on the live service
 * (release index); the release candidate is refused on live.
 *
 *   npx mocha --timeout 600000 examples/ukrdc/ukrdc.test.ts
 */
import * as assert from "assert";
import { assertRefused, ExampleProject, jsonLines } from "../support/harness";

const PACKAGE = "ukrdc-services";

describe("examples/ukrdc: a package pin from release candidate on staging to final on live", function () {
    this.timeout(600_000);
    let project: ExampleProject;

    before(async () => {
        project = await ExampleProject.create("ukrdc", { stacks: ["dev", "staging", "live"] });
    });
    after(async () => project?.remove());

    /** The requirements file a stack's pods install from (the PackageRequirements ConfigMap). */
    function requirements(stack: string, channel: string): string {
        const map = project.manifests(stack).get("ConfigMap", `ukrdc-${stack}`, "pinstack-packages");
        const text = map.data[`requirements-${channel}.txt`];
        assert.ok(text, `no requirements-${channel}.txt in ${stack}'s pinstack-packages: ${Object.keys(map.data).join(", ")}`);
        return text;
    }

    /** The release branch's build: the version goes into staging's requirements (a reviewed commit). */
    function pinOnStaging(version: string, message: string): void {
        project.setIn("staging", ["pinstack:packages", PACKAGE, "version"], version);
        project.commit(message, ["Pulumi.staging.yaml"]);
    }

    it("three indices: dev builds on dev, staging and live on 10.8.4 at the start of the cycle", () => {
        const channels = ["dev", "staging", "live"].map((stack) => project.stackConfig(stack)["pinstack:packages"][PACKAGE].channel);
        assert.deepStrictEqual(channels, ["dev", "staging", "release"]);
        const row = jsonLines(project.expectPinstack(0, ["status", "--json"]).stdout).find((r) => r.name === PACKAGE);
        assert.deepStrictEqual(
            Object.fromEntries(Object.entries<any>(row?.stacks ?? {}).map(([stack, pin]) => [stack, pin?.version])),
            { dev: "10.8.5.dev3", staging: "10.8.4", live: "10.8.4" },
        );
        project.expectPinstack(0, ["check"]);
    });

    it("the release candidate: `pinstack bump rc` 10.8.4 -> 10.8.5rc1, deployed on staging from the staging index", () => {
        const rc = project.expectPinstack(0, ["bump", "rc", "10.8.4"]).stdout.trim();
        assert.strictEqual(rc, "10.8.5rc1");
        pinOnStaging(rc, `Release branch: ${PACKAGE} ${rc}`);
        project.expectPinstack(0, ["check", "--stack", "staging"]);
        project.up("staging", `release branch: ${PACKAGE} ${rc}`);
        const text = requirements("staging", "staging");
        assert.match(text, /^# channel: staging$/m);
        assert.match(text, /^ukrdc-services==10\.8\.5rc1$/m);
    });

    it("refusal: the release candidate is refused on live (promote and check), and live is left as it was", () => {
        const before = project.read("Pulumi.live.yaml");
        const run = project.pinstack(["promote", "staging", "live", "--package", PACKAGE, "--reason", "ship the RC"]);
        assertRefused(run, 1, /no-prereleases/, /10\.8\.5rc1/);
        assert.strictEqual(project.read("Pulumi.live.yaml"), before, "a refused promotion writes nothing");
        // Typed in by hand, the RC is refused by the same rule.
        project.setIn("live", ["pinstack:packages", PACKAGE, "version"], "10.8.5rc1");
        assertRefused(project.pinstack(["check", "--stack", "live"]), 1, /no-prereleases/, /Pulumi\.live\.yaml:\d+/);
        project.write("Pulumi.live.yaml", before);
        // A bug found in the RC is fixed on the release branch: the next candidate.
        assert.strictEqual(project.expectPinstack(0, ["bump", "rc", "10.8.5rc1"]).stdout.trim(), "10.8.5rc2");
    });

    it("the final version: `pinstack bump final` -> 10.8.5 on staging; not promotable before staging ran it", () => {
        const final = project.expectPinstack(0, ["bump", "final", "10.8.5rc1"]).stdout.trim();
        assert.strictEqual(final, "10.8.5");
        pinOnStaging(final, `Release branch: ${PACKAGE} ${final}`);
        const before = project.read("Pulumi.live.yaml");
        assertRefused(project.pinstack(["promote", "staging", "live", "--package", PACKAGE, "--reason", "10.8.5 tested"]), 1, /never successfully deployed on staging/);
        assert.strictEqual(project.read("Pulumi.live.yaml"), before);
        project.up("staging", `release branch: ${PACKAGE} ${final}`);
        assert.match(requirements("staging", "staging"), /^ukrdc-services==10\.8\.5$/m);
    });

    it("live: promote 10.8.5 from staging and update the live service from the release index", () => {
        project.expectPinstack(0, ["promote", "staging", "live", "--package", PACKAGE, "--reason", "10.8.5rc1 tested on staging; final 10.8.5"]);
        const pin = project.stackConfig("live")["pinstack:packages"][PACKAGE];
        assert.strictEqual(pin.version, "10.8.5");
        assert.strictEqual(pin.channel, "release", "live keeps reading the release index");
        assert.strictEqual(pin.provenance.from, "staging");
        assert.match(project.read("Pulumi.live.yaml"), /^# ProductionLive/m, "comments are kept");
        project.commit(`Promote ${PACKAGE} 10.8.5 to live`);
        project.expectPinstack(0, ["check", "--stack", "live"]);
        project.up("live", `${PACKAGE} 10.8.5 (promoted from staging)`);
        const text = requirements("live", "release");
        assert.match(text, /^# channel: release$/m);
        assert.match(text, /^ukrdc-services==10\.8\.5$/m);
        const row = jsonLines(project.expectPinstack(0, ["status", "--json"]).stdout).find((r) => r.name === PACKAGE);
        assert.strictEqual(row?.stacks.staging.version, row?.stacks.live.version);
    });
});
