import { strict as assert } from "assert";
import { DIGEST, PRODUCTION, STAGING, threeStacks } from "./fixtures";
import { ensureBuilt, jsonLines, removeTempProjects, runPinstack, snapshot, tempProject, TempProject } from "./helpers";

describe("pinstack status (process)", function () {
    this.timeout(120_000);
    let project: TempProject;
    let filesBefore: Record<string, string>;
    before(ensureBuilt);
    beforeEach(() => {
        project = tempProject(threeStacks());
        filesBefore = snapshot(project.dir);
    });
    afterEach(() => assert.deepEqual(snapshot(project.dir), filesBefore, "status wrote a file"));
    after(removeTempProjects);

    it("prints the pin matrix: a row per service and package, a column per stack in promotion order", () => {
        const { code, stdout, stderr } = runPinstack(["status"], { cwd: project.dir });
        assert.equal(code, 0, stderr);
        const lines = stdout.trimEnd().split("\n");
        assert.match(lines[0], /^KIND\s+NAME\s+PLAYGROUND\s+STAGING\s+PRODUCTION\s+STATE$/);
        assert.match(stdout, /^service\s+backend\s+2023\.06\.1\s+2023\.05\.1\s+2023\.04\.2@sha256:4c1b4c1b4c1b\s+drift$/m);
        assert.match(stdout, /^package\s+ukrdc-services\s+10\.8\.5rc2\s+10\.8\.5rc1\s+10\.8\.4\s+drift$/m);
        assert.ok(!stdout.includes("\u001b["), "no colour on a pipe");
    });

    it("--json: one row per line with every stack's pin", () => {
        const { code, stdout } = runPinstack(["status", "--json"], { cwd: project.dir });
        assert.equal(code, 0);
        const rows = jsonLines(stdout);
        assert.deepEqual(rows.map((r) => `${r.kind}:${r.name}`), ["service:backend", "service:api", "package:ukrdc-services"]);
        assert.deepEqual(rows[0].stacks, {
            playground: { image: "ghcr.io/example/backend", tag: "2023.06.1" },
            staging: { image: "ghcr.io/example/backend", tag: "2023.05.1" },
            production: { image: "ghcr.io/example/backend", tag: "2023.04.2", digest: DIGEST },
        });
        assert.equal(rows[0].drift, true);
    });

    it("marks a row in sync, a missing stack, and a tag that moved", () => {
        const same = STAGING.replace("tag: 2023.05.1", `tag: 2023.04.2\n      digest: sha256:${"9e8d".repeat(16)}`);
        project.write("Pulumi.staging.yaml", same);
        project.write("Pulumi.playground.yaml", PRODUCTION.replace("environment: production", "environment: playground"));
        filesBefore = snapshot(project.dir);
        const { stdout } = runPinstack(["status"], { cwd: project.dir });
        assert.match(stdout, /^service\s+backend\s+.*tag moved, drift$/m);
        const rows = jsonLines(runPinstack(["status", "--json"], { cwd: project.dir }).stdout);
        const api = rows.find((r) => r.name === "api");
        assert.deepEqual(api?.drift, true);
        const pkg = rows.find((r) => r.name === "ukrdc-services");
        assert.deepEqual([pkg?.drift], [true]);
        project.write("Pulumi.staging.yaml", PRODUCTION.replace("environment: production", "environment: staging"));
        filesBefore = snapshot(project.dir);
        const synced = runPinstack(["status"], { cwd: project.dir }).stdout;
        assert.match(synced, /^service\s+backend\s+.*in sync$/m);
    });

    it("lists a service missing from a stack", () => {
        project.write("Pulumi.production.yaml", PRODUCTION.replace(/ {4}api:\n(?: {6}.*\n)+/, ""));
        filesBefore = snapshot(project.dir);
        const { stdout } = runPinstack(["status"], { cwd: project.dir });
        assert.match(stdout, /^service\s+api\s+1\.5\.0-rc\.1\s+1\.4\.2\s+-\s+missing on production$/m);
    });

    it("colours only when asked on a non-TTY (FORCE_COLOR), never with NO_COLOR", () => {
        assert.ok(runPinstack(["status"], { cwd: project.dir, env: { FORCE_COLOR: "1" } }).stdout.includes("\u001b["));
        assert.ok(!runPinstack(["status"], { cwd: project.dir, env: { FORCE_COLOR: "1", NO_COLOR: "1" } }).stdout.includes("\u001b["));
    });

    it("a malformed file anywhere is bad input (exit 2) naming it", () => {
        project.write("Pulumi.production.yaml", "config:\n  pinstack:environment: production\n  pinstack:hold: maybe\n");
        filesBefore = snapshot(project.dir);
        const { code, stderr, stdout } = runPinstack(["status"], { cwd: project.dir });
        assert.equal(code, 2);
        assert.equal(stdout, "");
        assert.match(stderr, /Pulumi\.production\.yaml:3:3: pinstack:hold: must be true or false/);
    });

    it("an empty stack file is bad input", () => {
        project.write("Pulumi.staging.yaml", "");
        filesBefore = snapshot(project.dir);
        const { code, stderr } = runPinstack(["status"], { cwd: project.dir });
        assert.equal(code, 2);
        assert.match(stderr, /Pulumi\.staging\.yaml:1: the stack file is empty/);
    });

    it("a directory that does not exist is bad input", () => {
        const { code, stderr } = runPinstack(["-C", `${project.dir}/nope`, "status"]);
        assert.equal(code, 2);
        assert.match(stderr, /cannot read the project directory/);
    });

    it("--help shows an example", () => {
        const { code, stdout } = runPinstack(["status", "--help"]);
        assert.equal(code, 0);
        assert.match(stdout, /\$ pinstack status/);
    });
});
