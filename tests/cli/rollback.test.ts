import { strict as assert } from "assert";
import { loadStack, readStackFile } from "../../lib/config";
import { applyChanges, planPromotion } from "../../lib/promote";
import { BACKEND, digest, environment, fakeRegistry, FRONTEND, productionYaml, stagingYaml } from "../unit/promote/support/project";
import { fakePulumi, FakePulumi, historyEntry } from "./fake-pulumi";
import { ensureBuilt, jsonLines, removeTempProjects, runPinstack, snapshot, tempProject, TempProject } from "./helpers";

const configOf = (file: string) => JSON.parse(JSON.stringify(readStackFile(file).raw)) as Record<string, unknown>;

describe("pinstack rollback and hold (process)", function () {
    this.timeout(180_000);
    let pulumi: FakePulumi;
    let project: TempProject;
    before(ensureBuilt);
    after(removeTempProjects);
    beforeEach(async () => {
        project = tempProject({ "Pulumi.yaml": "name: pinstack\nruntime: nodejs\n", "Pulumi.staging.yaml": stagingYaml(), "Pulumi.production.yaml": productionYaml() });
        pulumi = fakePulumi();
        const deployedBefore = configOf(project.file("Pulumi.production.yaml"));
        const plan = await planPromotion({ from: "staging", to: "production", reason: "Release 2023.06.2", allowUndeployed: true }, environment(project.dir, {}, new Date()), fakeRegistry({ [`${BACKEND}:2023.05.1`]: digest("a"), [`${FRONTEND}:2023.05.4`]: digest("f") }));
        applyChanges([plan.stackEdit, plan.ledgerChange]);
        pulumi.setHistory("production", [
            historyEntry({ minutesAgo: 30, message: "Release 2023.06.2", config: configOf(project.file("Pulumi.production.yaml")) }),
            historyEntry({ minutesAgo: 600, message: "May release", config: deployedBefore }),
        ]);
    });
    afterEach(() => pulumi.remove());
    const run = (...args: string[]) => runPinstack(args, { cwd: project.dir, env: { ...pulumi.env, PINSTACK_ACTOR: "oncall@example.org" } });

    it("restores the last good update's pins, sets hold, prints the diff", () => {
        const { code, stdout, stderr } = run("rollback", "production", "--reason", "500s after 2023.06.2 (#940)");
        assert.equal(code, 0, stderr);
        assert.match(stdout, /^rollback production to update 1 \(.*, "May release"\)\n/);
        assert.match(stdout, /service backend +2023\.05\.1@sha256:aaaaaaaaaaaa -> 2023\.04\.2@sha256:444444444444/);
        assert.match(stdout, /production is now on hold/);
        assert.match(stdout, /^\+  pinstack:hold: true$/m);
        const production = loadStack(project.dir, "production");
        assert.deepEqual([production.hold, production.services[0].tag, production.services[0].provenance?.rollback, production.services[0].provenance?.by], [true, "2023.04.2", true, "oncall@example.org"]);
        const check = run("check", "--stack", "production");
        assert.equal(check.code, 0, `${check.stdout}${check.stderr}`);
    });

    it("--json and --dry-run", () => {
        const before = snapshot(project.dir);
        const { code, stdout } = run("rollback", "production", "--reason", "r", "--dry-run", "--json");
        assert.equal(code, 0);
        const lines = jsonLines(stdout);
        assert.deepEqual(lines.slice(0, -1).map((l) => l.name), ["backend", "frontend", "ukrdc-services"]);
        assert.deepEqual(lines[lines.length - 1], { stack: "production", hold: true, update: 1, skipped: [], written: false });
        assert.deepEqual(snapshot(project.dir), before);
    });

    it("then a promotion is refused until the hold is lifted with hold --clear", () => {
        assert.equal(run("rollback", "production", "--reason", "r").code, 0);
        const refused = run("promote", "staging", "production", "--reason", "again", "--allow-undeployed");
        assert.equal(refused.code, 1);
        assert.match(refused.stderr, /production is on hold \(rollback to update 1: r\): only rollbacks pass/);
        const clear = run("hold", "production", "--clear", "--reason", "incident 940 closed", "--json");
        assert.equal(clear.code, 0, clear.stderr);
        assert.deepEqual(jsonLines(clear.stdout), [{ stack: "production", hold: false, changed: true, written: true }]);
        assert.equal(loadStack(project.dir, "production").hold, false);
        assert.match(project.read("Pulumi.production.yaml"), /command: hold-clear\n    at: "[^"]+"\n    by: oncall@example\.org\n    reason: incident 940 closed\n/);
    });

    it("hold sets and reports; a second hold writes nothing", () => {
        const set = run("hold", "production", "--reason", "freeze for the audit");
        assert.equal(set.code, 0, set.stderr);
        assert.match(set.stdout, /production: hold set\n/);
        assert.match(set.stdout, /^\+  pinstack:holdReason: freeze for the audit$/m);
        const before = snapshot(project.dir);
        const again = run("hold", "production", "--reason", "other");
        assert.equal(again.code, 0);
        assert.match(again.stdout, /already on hold \(freeze for the audit\); nothing written/);
        assert.deepEqual(snapshot(project.dir), before);
    });

    it("--to names the update; exit 2 for an unknown one or a non-number, and for an unknown stack", () => {
        const to = run("rollback", "production", "--to", "1", "--reason", "r", "--dry-run");
        assert.equal(to.code, 0, to.stderr);
        const unknown = run("rollback", "production", "--to", "7", "--reason", "r");
        assert.equal(unknown.code, 2);
        assert.match(unknown.stderr, /stack production has no update 7/);
        assert.equal(run("rollback", "production", "--to", "last", "--reason", "r").code, 2);
        assert.equal(run("rollback", "prod", "--reason", "r").code, 2);
        assert.equal(run("hold", "prod", "--reason", "r").code, 2);
        assert.equal(run("hold", "production").code, 2, "--reason is required");
    });

    it("exit 1 when the stack has no Pulumi state to roll back to", () => {
        const { code, stderr } = run("rollback", "staging", "--reason", "r");
        assert.equal(code, 1);
        assert.match(stderr, /no stack named 'staging'/);
    });
});
