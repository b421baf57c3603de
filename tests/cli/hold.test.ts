import { strict as assert } from "assert";
import { productionYaml } from "../unit/promote/support/project";
import { ensureBuilt, jsonLines, removeTempProjects, runPinstack, snapshot, tempProject } from "./helpers";

describe("pinstack hold (process)", function () {
    this.timeout(120_000);
    before(ensureBuilt);
    after(removeTempProjects);

    it("sets the hold with its reason, changing only those keys, and lifts it with --clear", () => {
        const project = tempProject({ "Pulumi.yaml": "name: pinstack\nruntime: nodejs\n", "Pulumi.production.yaml": productionYaml() });
        const original = project.read("Pulumi.production.yaml");
        const set = runPinstack(["hold", "production", "--reason", "incident #940", "--json"], { cwd: project.dir, env: { PINSTACK_ACTOR: "oncall@example.org" } });
        assert.equal(set.code, 0, set.stderr);
        assert.deepEqual(jsonLines(set.stdout), [{ stack: "production", hold: true, changed: true, written: true }]);
        const held = project.read("Pulumi.production.yaml");
        assert.ok(held.startsWith(original), "hold changed lines other than its own");
        assert.match(held.slice(original.length), /^  pinstack:hold: true\n  pinstack:holdReason: "incident #940"\n  pinstack:lastChange:\n    command: hold\n/);
        const check = runPinstack(["check", "--stack", "production"], { cwd: project.dir });
        assert.equal(check.code, 0, check.stdout + check.stderr);

        const dry = snapshot(project.dir);
        const preview = runPinstack(["hold", "production", "--clear", "--reason", "resolved", "--dry-run"], { cwd: project.dir });
        assert.equal(preview.code, 0);
        assert.match(preview.stdout, /hold lifted \(dry run: nothing written\)/);
        assert.deepEqual(snapshot(project.dir), dry);

        const clear = runPinstack(["hold", "production", "--clear", "--reason", "resolved"], { cwd: project.dir });
        assert.equal(clear.code, 0, clear.stderr);
        assert.match(clear.stdout, /^-  pinstack:holdReason: "incident #940"$/m);
        assert.match(project.read("Pulumi.production.yaml"), /pinstack:hold: false\n  pinstack:lastChange:\n    command: hold-clear\n/);
    });

    it("exit 2 for an unknown stack, an empty reason; nothing written", () => {
        const project = tempProject({ "Pulumi.yaml": "name: pinstack\nruntime: nodejs\n", "Pulumi.production.yaml": productionYaml() });
        const before = snapshot(project.dir);
        assert.equal(runPinstack(["hold", "prod", "--reason", "r"], { cwd: project.dir }).code, 2);
        const empty = runPinstack(["hold", "production", "--reason", ""], { cwd: project.dir });
        assert.equal(empty.code, 2);
        assert.match(empty.stderr, /--reason is empty/);
        assert.deepEqual(snapshot(project.dir), before);
    });
});
