import { strict as assert } from "assert";
import { loadAllStacks, stackFilePath } from "../../../lib/config";
import { buildHistory, fileVersions } from "../../../lib/history";
import { Board, BoardChange, BoardEvent, BoardUpdate, boardJsonLines, buildBoard, StackSource } from "../../../lib/report";
import { at, HOSTILE_REASON, releaseScenario, Scenario } from "./support/scenario";

function sourcesOf(scenario: Scenario, histories: Record<string, unknown[]> = scenario.histories): StackSource[] {
    return loadAllStacks(scenario.dir).map((config) => ({
        config,
        history: buildHistory(fileVersions(stackFilePath(scenario.dir, config.stack)), (histories[config.stack] ?? []) as never),
    }));
}

const NOW = new Date("2026-03-10T00:00:00Z");

describe("the release board's data (lib/report buildBoard: git history joined with Pulumi updates)", function () {
    this.timeout(30_000);
    let scenario: Scenario;
    let board: Board;
    before(() => {
        scenario = releaseScenario();
        board = buildBoard(sourcesOf(scenario), { now: NOW });
    });
    after(() => scenario.remove());

    const eventsOf = (name: string) => [...board.events].filter((e) => e.current === name).reverse();
    /** An event with its change's who, why and commit, and the updates that ran it. */
    const detailed = (e: BoardEvent) => {
        const change = board.changes.find((c) => c.id === e.change) as BoardChange;
        const updates = change.updates.map((id) => board.updates.find((u) => u.id === id) as BoardUpdate);
        return { ...e, commit: change.commit, author: change.author, by: e.by ?? change.by, reason: e.reason ?? change.reason, update: updates[0] ?? null, reruns: Math.max(0, updates.length - 1) };
    };

    it("lists the stacks in promotion order with their hold", () => {
        assert.deepEqual(board.stacks.map((s) => [s.name, s.hold]), [["staging", false], ["production", false]]);
    });

    it("matrix: each cell's version and short digest; the pin no earlier stage ran is marked", () => {
        const backend = board.matrix.find((r) => r.name === "backend");
        assert.ok(backend);
        assert.deepEqual([backend.cells.staging.text, backend.cells.production.text], ["1.1.0", "1.0.0@sha256:aaaaaaaaaaaa"]);
        assert.equal(backend.cells.production.digest, "sha256:aaaaaaaaaaaa");
        // staging ran 1.0.0 on day 0 (its history), so production's 1.0.0 is not new there.
        assert.equal(backend.cells.production.firstHere, false);
        assert.equal(backend.drift, true);
        const pkg = board.matrix.find((r) => r.name === "ukrdc-services");
        assert.ok(pkg);
        // staging only ever ran 10.8.5: production's 10.8.4 is something no earlier stage ran.
        assert.equal(pkg.cells.production.firstHere, true);
        assert.equal(pkg.cells.staging.firstHere, false, "the first stage has no earlier one");
    });

    it("a held stack's cells say so; the hold's setting and lifting are events", () => {
        assert.equal(board.matrix[0].cells.production.held, false, "the hold was lifted on day 5");
        const onHold = sourcesOf(scenario).map((s) => (s.config.stack === "production" ? { ...s, config: { ...s.config, hold: true, holdReason: "audit" } } : s));
        const held = buildBoard(onHold, { now: NOW });
        assert.deepEqual(held.matrix.map((r) => [r.cells.staging.held, r.cells.production.held]), [[false, true], [false, true], [false, true]]);
        assert.deepEqual([held.stacks[1].hold, held.stacks[1].holdReason], [true, "audit"]);
        const holds = board.events.filter((e) => e.subject === "stack").map(detailed).map((e) => [e.kind, e.at, e.reason, e.update === null]);
        assert.deepEqual(holds, [
            ["hold-clear", at(5), "incident 7 resolved", true],
            ["hold", at(3), "incident 7", false],
        ]);
    });

    it("timeline: every change of a service across stacks, in order, with who, why, commit and the update that ran it", () => {
        const backend = eventsOf("backend").map((e) => [e.stack, e.kind, e.before, e.after]);
        assert.deepEqual(backend, [
            ["staging", "edit", "", "1.0.0"],
            ["production", "edit", "", "1.0.0@sha256:aaaaaaaaaaaa"],
            ["staging", "edit", "1.0.0", "1.1.0"],
            ["production", "promote", "1.0.0@sha256:aaaaaaaaaaaa", "1.1.0@sha256:bbbbbbbbbbbb"],
            ["production", "rollback", "1.1.0@sha256:bbbbbbbbbbbb", "1.0.0@sha256:aaaaaaaaaaaa"],
        ]);
        const promote = detailed(eventsOf("backend")[3]);
        assert.equal(promote.commit, scenario.commits.promote);
        assert.deepEqual([promote.by, promote.reason, promote.from, promote.author], ["rm@example.org", HOSTILE_REASON, "staging", "Ada"]);
        const rollback = detailed(eventsOf("backend")[4]);
        assert.deepEqual([rollback.by, rollback.reason, rollback.update?.result], ["oncall@example.org", "500s after 1.1.0 (incident 7)", "succeeded"]);
        const ci = detailed(eventsOf("backend")[2]);
        assert.equal(ci.by, "ci-bot", "a hand edit is by its commit's author");
    });

    it("a failed update: the change's first update, with its duration; the re-run that succeeded is counted", () => {
        const promote = detailed(eventsOf("backend")[3]);
        assert.deepEqual([promote.update?.version, promote.update?.result, promote.update?.durationSeconds, promote.reruns], [2, "failed", 420, 1]);
        const failed = board.updates.filter((u) => u.result === "failed");
        assert.deepEqual(failed.map((u) => [u.stack, u.version, u.commit, u.resourceChanges]), [["production", 2, scenario.commits.promote, { update: 1, same: 3 }]]);
    });

    it("updates: every Pulumi update per stack, newest first, each with the commit it ran (none for a refresh)", () => {
        assert.deepEqual(
            board.updates.filter((u) => u.stack === "staging").map((u) => [u.version, u.kind, u.commit === null ? null : Object.keys(scenario.commits).find((k) => scenario.commits[k] === u.commit)]),
            [
                [4, "update", "rename"],
                [3, "refresh", null],
                [2, "update", "staging"],
                [1, "update", "initial"],
            ],
        );
    });

    it("a renamed service keeps one timeline and one matrix row under its new name", () => {
        const frontend = board.matrix.find((r) => r.name === "frontend");
        assert.ok(frontend);
        assert.deepEqual(frontend.formerNames, ["web"]);
        const rename = detailed(eventsOf("frontend")[3]);
        assert.equal(rename.by, "Ada", "a hand edit is its committer's, not the provenance's it left in place (rm@example.org's first release)");
        assert.equal(board.matrix.some((r) => r.name === "web"), false);
        assert.deepEqual(
            eventsOf("frontend").map((e) => [e.stack, e.kind, e.name]),
            [
                ["staging", "edit", "web"],
                ["production", "edit", "web"],
                ["staging", "rename", "web → frontend"],
                ["production", "rename", "web → frontend"],
            ],
        );
    });

    it("lead time: production releases from commit to the end of the first successful update, and when staging first ran them", () => {
        const backend = board.releases.filter((r) => r.name === "backend").reverse();
        assert.deepEqual(
            backend.map((r) => [r.version, r.mergedAt, r.deployedAt, r.leadTimeSeconds, r.firstSeenAt]),
            [
                ["1.0.0@sha256:aaaaaaaaaaaa", at(0), new Date(Date.parse(at(0, 2)) + 180_000).toISOString(), 2 * 3600 + 180, at(0)],
                // The failed update does not count: the re-run at hour 3 (4 minutes) deployed it.
                ["1.1.0@sha256:bbbbbbbbbbbb", at(2), new Date(Date.parse(at(2, 3)) + 240_000).toISOString(), 3 * 3600 + 240, at(1)],
            ],
        );
        assert.equal(board.releases.some((r) => r.name === "backend" && r.mergedAt === at(3)), false, "a rollback is not a release");
    });

    it("--since/--until narrow events, updates and releases, not the matrix", () => {
        const narrow = buildBoard(sourcesOf(scenario), { now: NOW, since: new Date(at(2)), until: new Date(at(3, 12)) });
        assert.deepEqual(narrow.events.map((e) => e.at).filter((t, i, a) => a.indexOf(t) === i), [at(3), at(2)]);
        assert.deepEqual(narrow.updates.map((u) => [u.stack, u.version]), [["production", 4], ["production", 3], ["production", 2]]);
        assert.deepEqual(narrow.releases.map((r) => r.mergedAt), [at(2)]);
        assert.equal(narrow.matrix.length, board.matrix.length);
        assert.deepEqual([narrow.since, narrow.until], [new Date(at(2)).toISOString(), new Date(at(3, 12)).toISOString()]);
    });

    it("without Pulumi updates every change is listed as not deployed and no release has a lead time", () => {
        const bare = buildBoard(sourcesOf(scenario, {}), { now: NOW });
        assert.equal(bare.updates.length, 0);
        assert.ok(bare.changes.every((c) => c.updates.length === 0));
        assert.ok(bare.releases.every((r) => r.leadTimeSeconds === null && r.deployedAt === null));
    });

    it("--json lines: the board first, then rows, events, updates and releases, each typed", () => {
        const lines = boardJsonLines(board).trim().split("\n").map((l) => JSON.parse(l) as { type: string });
        assert.equal(lines[0].type, "board");
        const types = lines.map((l) => l.type);
        assert.deepEqual([...new Set(types)], ["board", "row", "change", "event", "update", "release"]);
        assert.equal(types.filter((t) => t === "event").length, board.events.length);
    });
});
