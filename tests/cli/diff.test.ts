import { strict as assert } from "assert";
import { STAGING, threeStacks } from "./fixtures";
import { ensureBuilt, jsonLines, removeTempProjects, runPinstack, snapshot, tempProject, TempProject } from "./helpers";

describe("pinstack diff (process)", function () {
    this.timeout(120_000);
    let project: TempProject;
    let filesBefore: Record<string, string>;
    before(ensureBuilt);
    beforeEach(() => {
        project = tempProject(threeStacks());
        filesBefore = snapshot(project.dir);
    });
    afterEach(() => assert.deepEqual(snapshot(project.dir), filesBefore, "diff wrote a file"));
    after(removeTempProjects);

    it("shows what promoting staging to production would change", () => {
        const { code, stdout, stderr } = runPinstack(["diff", "staging", "production"], { cwd: project.dir });
        assert.equal(code, 0, stderr);
        assert.match(stdout, /^KIND\s+NAME\s+PRODUCTION NOW\s+AFTER \(FROM STAGING\)\s+NOTE$/m);
        assert.match(stdout, /^service\s+backend\s+2023\.04\.2@sha256:4c1b4c1b4c1b\s+->\s+2023\.05\.1\s+production requires a digest/m);
        assert.match(stdout, /^package\s+ukrdc-services\s+10\.8\.4\s+->\s+10\.8\.5rc1\s+refused by no-prereleases$/m);
        assert.match(stdout, /3 changes promoting staging -> production/);
    });

    it("--json: one line per service and package with change, current, proposed and direction", () => {
        const { code, stdout } = runPinstack(["diff", "staging", "production", "--json"], { cwd: project.dir });
        assert.equal(code, 0);
        const lines = jsonLines(stdout);
        const backend = lines.find((l) => l.name === "backend");
        assert.deepEqual([backend?.kind, backend?.change, backend?.direction], ["service", "update", "upgrade"]);
        assert.deepEqual(backend?.proposed, { image: "ghcr.io/example/backend", tag: "2023.05.1" });
        assert.equal((backend?.current as { tag: string }).tag, "2023.04.2");
        assert.deepEqual(lines.find((l) => l.name === "ukrdc-services")?.direction, "upgrade");
        assert.deepEqual(backend?.refusedBy, [], "the digest is resolved by promote, the provenance written by it");
        assert.deepEqual(lines.find((l) => l.name === "ukrdc-services")?.refusedBy, ["no-prereleases"]);
    });

    it("marks a downgrade and a new service", () => {
        project.write("Pulumi.staging.yaml", STAGING.replace("tag: 2023.05.1", "tag: 2023.03.1").replace("  pinstack:packages:", "    worker:\n      image: ghcr.io/example/worker\n      tag: 1.0.0\n  pinstack:packages:"));
        filesBefore = snapshot(project.dir);
        const { stdout } = runPinstack(["diff", "staging", "production"], { cwd: project.dir });
        assert.match(stdout, /^service\s+backend\s+.*downgrade/m);
        assert.match(stdout, /^service\s+worker\s+-\s+->\s+1\.0\.0\s+refused by tag-scheme; new/m);
    });

    it("says when there is nothing to promote", () => {
        const { code, stdout } = runPinstack(["diff", "production", "production"], { cwd: project.dir });
        assert.equal(code, 2, "diffing a stack with itself is a usage mistake");
        assert.equal(stdout, "");
        project.write("Pulumi.qa.yaml", project.read("Pulumi.production.yaml"));
        filesBefore = snapshot(project.dir);
        const same = runPinstack(["diff", "production", "qa"], { cwd: project.dir });
        assert.equal(same.code, 0);
        assert.match(same.stdout, /qa already runs every pin of production; nothing to promote/);
    });

    it("an unknown stack is bad input (exit 2)", () => {
        const { code, stderr } = runPinstack(["diff", "staging", "prod"], { cwd: project.dir });
        assert.equal(code, 2);
        assert.match(stderr, /unknown stack 'prod'/);
    });

    it("a missing argument is a usage error (exit 2)", () => {
        assert.equal(runPinstack(["diff", "staging"], { cwd: project.dir }).code, 2);
    });

    it("a malformed target file is bad input naming it", () => {
        project.write("Pulumi.production.yaml", "config:\n  pinstack:environment: production\n  pinstack:services:\n    backend:\n      image: ghcr.io/example/backend\n      port: eighty\n");
        filesBefore = snapshot(project.dir);
        const { code, stderr } = runPinstack(["diff", "staging", "production"], { cwd: project.dir });
        assert.equal(code, 2);
        assert.match(stderr, /Pulumi\.production\.yaml:6:7: pinstack:services\.backend\.port/);
    });

    it("--help shows an example", () => {
        const { code, stdout } = runPinstack(["diff", "--help"]);
        assert.equal(code, 0);
        assert.match(stdout, /\$ pinstack diff staging production/);
    });
});
