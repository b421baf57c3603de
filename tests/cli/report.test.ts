import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { releaseScenario, Scenario } from "../unit/report/support/scenario";
import { fakePulumi, FakePulumi } from "./fake-pulumi";
import { ensureBuilt, jsonLines, runPinstack, snapshot } from "./helpers";

describe("pinstack report (process)", function () {
    this.timeout(180_000);
    let scenario: Scenario;
    let pulumi: FakePulumi;
    before(() => {
        ensureBuilt();
        scenario = releaseScenario();
        pulumi = fakePulumi();
        for (const [stack, updates] of Object.entries(scenario.histories)) pulumi.setHistory(stack, updates);
    });
    after(() => {
        pulumi.remove();
        scenario.remove();
    });

    it("--json: the board line, then typed rows, events, updates and releases from git and pulumi stack history", () => {
        const { code, stdout, stderr } = runPinstack(["report", "--json"], { cwd: scenario.dir, env: pulumi.env });
        assert.equal(code, 0, stderr);
        const lines = jsonLines(stdout);
        assert.deepEqual(lines[0].stacks && (lines[0].stacks as { name: string }[]).map((s) => s.name), ["staging", "production"]);
        const failed = lines.filter((l) => l.type === "update" && l.result === "failed");
        assert.deepEqual(failed.map((u) => [u.stack, u.version]), [["production", 2]]);
        assert.ok(pulumi.calls().some((c) => c.startsWith("stack history") && c.includes("--stack production")));
    });

    it("--since/--until: dates narrow the history; a bad one is exit 2 naming the option", () => {
        const { code, stdout } = runPinstack(["report", "--json", "--since", "2026-03-04", "--until", "2026-03-05"], { cwd: scenario.dir, env: pulumi.env });
        assert.equal(code, 0);
        const events = jsonLines(stdout).filter((l) => l.type === "event");
        assert.deepEqual([...new Set(events.map((e) => String(e.at).slice(0, 10)))], ["2026-03-05", "2026-03-04"]);
        const bad = runPinstack(["report", "--json", "--since", "last tuesday"], { cwd: scenario.dir, env: pulumi.env });
        assert.equal(bad.code, 2);
        assert.match(bad.stderr, /--since "last tuesday" is not a date or time/);
    });

    it("--html <dir>: writes index.html and board.json, and changes no stack file", () => {
        const before = snapshot(scenario.dir);
        const out = path.join(scenario.dir, "..", `${path.basename(scenario.dir)}-site`);
        const { code, stdout, stderr } = runPinstack(["report", "--html", out], { cwd: scenario.dir, env: pulumi.env });
        assert.equal(code, 0, stderr);
        assert.match(stdout, /wrote .*index\.html \(3 rows, \d+ events, 9 updates\)/);
        const board = JSON.parse(fs.readFileSync(path.join(out, "board.json"), "utf8"));
        assert.equal(board.updates.length, 9);
        assert.match(fs.readFileSync(path.join(out, "index.html"), "utf8"), /^<!doctype html>/);
        assert.deepEqual(snapshot(scenario.dir), before);
        fs.rmSync(out, { recursive: true, force: true });
    });

    it("without Pulumi state: warns per stack and still writes the board from git", () => {
        const { code, stdout, stderr } = runPinstack(["report", "--json"], { cwd: scenario.dir, env: { ...pulumi.env, PINSTACK_PULUMI: "/nonexistent/pulumi" } });
        assert.equal(code, 0);
        assert.match(stderr, /warning: staging: the pulumi CLI is not installed/);
        const head = jsonLines(stdout)[0] as { stacks: { warning: string | null }[] };
        assert.ok(head.stacks.every((s) => s.warning !== null));
    });

    it("--html into a path that is a file: exit 2, nothing written", () => {
        const file = path.join(scenario.dir, "..", `${path.basename(scenario.dir)}-file`);
        fs.writeFileSync(file, "x");
        const { code, stderr } = runPinstack(["report", "--html", file], { cwd: scenario.dir, env: pulumi.env });
        assert.equal(code, 2, stderr);
        assert.match(stderr, /cannot create the board directory/);
        assert.equal(fs.readFileSync(file, "utf8"), "x");
        fs.rmSync(file);
    });
});
