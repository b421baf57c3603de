import { strict as assert } from "assert";
import { colorEnabled, painter, promotionChanges, pinMatrix, renderTable, shortDigest, visibleLength } from "../../../../lib/format";
import { DIGEST, makeStack, OTHER_DIGEST } from "../rules/fixtures";

describe("lib/format: tables and colour", () => {
    it("pads columns to the widest cell, ignoring colour codes", () => {
        const paint = painter(true);
        const out = renderTable({ headers: ["A", "B"], rows: [["x", "1"], [paint("red", "long"), "2"]] });
        const lines = out.split("\n");
        assert.equal(lines[0], "A     B");
        assert.equal(lines[1], "----  -");
        assert.equal(visibleLength(lines[3]), "long  2".length);
    });

    it("colours only on a TTY, never with NO_COLOR or TERM=dumb", () => {
        assert.equal(colorEnabled({ isTTY: false }, {}), false);
        assert.equal(colorEnabled({ isTTY: true }, {}), true);
        assert.equal(colorEnabled({ isTTY: true }, { NO_COLOR: "1" }), false);
        assert.equal(colorEnabled({ isTTY: true }, { TERM: "dumb" }), false);
        assert.equal(colorEnabled({ isTTY: false }, { FORCE_COLOR: "1" }), true);
        assert.equal(painter(false)("red", "x"), "x");
        assert.notEqual(painter(true)("red", "x"), "x");
    });

    it("shortens digests", () => {
        assert.equal(shortDigest(DIGEST), "sha256:4c1b4c1b4c1b");
        assert.equal(shortDigest(undefined), "");
    });
});

describe("lib/format: pin matrix and diff", () => {
    const service = (tag: string, digest?: string) => ({ "pinstack:services": { backend: { image: "ghcr.io/example/backend", tag, digest, scheme: "calver" } } });

    it("marks drift, missing stacks and moved tags", () => {
        const rows = pinMatrix([
            makeStack("staging", { ...service("2023.05.1", DIGEST), "pinstack:packages": { lib: "1.0.0" } }, "staging"),
            makeStack("production", service("2023.05.1", OTHER_DIGEST), "production"),
        ]);
        assert.equal(rows.length, 2);
        assert.deepEqual([rows[0].kind, rows[0].name, rows[0].drift, rows[0].tagMoved], ["service", "backend", true, true]);
        assert.deepEqual([rows[1].kind, rows[1].missing], ["package", ["production"]]);
    });

    it("sees no drift when every stack runs the same pin", () => {
        const rows = pinMatrix([makeStack("staging", service("2023.05.1", DIGEST)), makeStack("production", service("2023.05.1", DIGEST))]);
        assert.equal(rows[0].drift, false);
        assert.equal(rows[0].tagMoved, false);
    });

    it("diff: update with direction, add, unchanged, only-in-target", () => {
        const from = makeStack("staging", {
            "pinstack:services": { backend: { image: "ghcr.io/example/backend", tag: "2023.05.1", scheme: "calver" }, api: { image: "ghcr.io/example/api", tag: "1.0.0", scheme: "semver" } },
            "pinstack:packages": { lib: "10.8.5rc1" },
        });
        const to = makeStack("production", {
            "pinstack:services": { backend: { image: "ghcr.io/example/backend", tag: "2023.06.1", scheme: "calver", digest: DIGEST }, worker: { image: "ghcr.io/example/worker", tag: "2.0.0" } },
            "pinstack:packages": { lib: "10.8.4" },
        });
        const changes = promotionChanges(from, to, { targetRequiresDigest: true });
        const by = (name: string) => changes.find((c) => c.name === name);
        assert.deepEqual([by("backend")?.change, by("backend")?.direction], ["update", "downgrade"]);
        assert.match(by("backend")?.notes.join() ?? "", /requires a digest/);
        assert.equal(by("api")?.change, "add");
        assert.equal(by("worker")?.change, "only-in-target");
        assert.deepEqual([by("lib")?.change, by("lib")?.direction], ["update", "upgrade"]);
        const same = promotionChanges(to, to);
        assert.ok(same.every((c) => c.change === "unchanged"));
    });
});
