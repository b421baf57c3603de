import { strict as assert } from "assert";
import { parseStackConfig } from "../../../lib/config";
import type { ChangeEntry } from "../../../lib/history";
import { buildBoard } from "../../../lib/report";

const config = parseStackConfig("staging", "Pulumi.staging.yaml", { "pinstack:environment": "staging", "pinstack:services": { backend: { image: "ghcr.io/example/backend", tag: "1.1.0" } } });
const provenance = { from: "playground", at: "2026-12-11T17:00:00Z", by: "rm@example.org", reason: "CVE hotfix", seal: `sha256:${"0".repeat(64)}` };
const change = (extra: Record<string, unknown>): ChangeEntry => ({
    type: "change",
    commit: "0b7d4f2a9c1e0b7d4f2a9c1e0b7d4f2a9c1e0b7d",
    author: "Ada",
    email: "ada@example.org",
    date: "2026-12-11T17:00:00Z",
    message: "hotfix",
    command: "promote",
    reason: "CVE hotfix",
    by: "rm@example.org",
    changes: [{ kind: "service", name: "backend", change: "update", before: { image: "ghcr.io/example/backend", tag: "1.0.0" }, after: { image: "ghcr.io/example/backend", tag: "1.1.0" }, provenance: { ...provenance, ...extra } }],
    hold: false,
    holdReason: null,
    freeze: null,
    error: null,
    updates: [],
});
const kindOf = (extra: Record<string, unknown>) => buildBoard([{ config, history: [change(extra)] }], { now: new Date("2026-12-12T00:00:00Z") }).events.find((e) => e.current === "backend")?.kind;

describe("the release board counts a promotion through a freeze as break-glass", () => {
    it("a provenance with breakGlass is a break-glass event; without, a promotion", () => {
        assert.equal(kindOf({ breakGlass: { freeze: "Fri 16:00 - Mon 08:00 Europe/London", until: "2026-12-14T08:00:00Z" } }), "break-glass");
        assert.equal(kindOf({}), "promote");
    });
});

describe("the release board shows a freeze's setting and lifting as events of the stack", () => {
    const freeze = { reason: "year-end freeze", by: "rm@example.org", at: "2026-12-18T09:00:00Z", until: "2027-01-04T08:00:00Z" };
    const version = (commit: string, date: string, extra: Partial<ChangeEntry>): ChangeEntry => ({ ...change({}), commit: commit.repeat(40), date, changes: [], command: null, reason: null, ...extra });
    // Newest first, as lib/history gives them: set on the 18th, lifted on the 4th.
    const history = [
        version("c", "2027-01-04T08:00:00Z", { command: "freeze-clear", reason: "freeze over", freeze: null }),
        version("b", "2026-12-18T09:00:00Z", { command: "freeze", reason: "year-end freeze", freeze }),
        change({}),
    ];
    const events = buildBoard([{ config, history }], { now: new Date("2027-01-05T00:00:00Z") }).events.filter((e) => e.subject === "stack");

    it("a freeze set and lifted: two events, newest first as every board event, with until when", () => {
        assert.deepEqual(events.map((e) => [e.kind, e.at, e.before, e.after]), [
            ["freeze-clear", "2027-01-04T08:00:00.000Z", "frozen", ""],
            ["freeze", "2026-12-18T09:00:00.000Z", "", "frozen until 2027-01-04T08:00:00Z"],
        ]);
    });

    it("a stack frozen when the board is made says so, with the freeze; one that is not says nothing", () => {
        const frozenConfig = { ...config, freeze: { windows: [], active: { reason: "year-end freeze", by: "rm@example.org", at: "2026-12-18T09:00:00Z", until: "2027-01-04T08:00:00Z" } } };
        const during = buildBoard([{ config: frozenConfig, history }], { now: new Date("2026-12-20T00:00:00Z") }).stacks[0].frozen ?? "";
        assert.match(during, /ad-hoc freeze set by rm@example\.org .*year-end freeze.*until 2027-01-04T08:00:00Z/);
        assert.equal(buildBoard([{ config: frozenConfig, history }], { now: new Date("2027-01-05T00:00:00Z") }).stacks[0].frozen, null);
        assert.equal(buildBoard([{ config, history }], { now: new Date("2026-12-20T00:00:00Z") }).stacks[0].frozen, null);
    });

    it("a version that changes no freeze adds no stack event", () => {
        const unchanged = buildBoard([{ config, history: [change({})] }], { now: new Date("2026-12-12T00:00:00Z") }).events;
        assert.equal(unchanged.filter((e) => e.subject === "stack").length, 0);
    });
});
