import { strict as assert } from "assert";
import { parseStackConfig } from "../../../../lib/config";
import { freezeFromOutput, freezeOutput, isFrozen } from "../../../../lib/freeze";

describe("lib/freeze: the program's freeze output, encoded and read back", () => {
    const config = parseStackConfig("production", "Pulumi.production.yaml", {
        "pinstack:environment": "production",
        "pinstack:freeze": { windows: ["Fri 16:00 - Mon 08:00 Europe/London"], active: { reason: "incident #951", by: "oncall@example.org", at: "2026-12-08T09:00:00Z", until: "2026-12-08T18:00:00Z" } },
    });

    it("round-trips the windows and the ad-hoc freeze (through JSON, as Pulumi stores outputs)", () => {
        const read = freezeFromOutput(JSON.parse(JSON.stringify(freezeOutput(config.freeze))));
        assert.ok(read.ok && read.freeze);
        assert.deepEqual(read.freeze.windows, config.freeze.windows);
        assert.deepEqual(read.freeze.active, config.freeze.active);
        assert.equal(isFrozen(new Date("2026-12-08T10:00:00Z"), read.freeze.windows, read.freeze.active)?.kind, "ad-hoc");
        assert.equal(isFrozen(new Date("2026-12-11T17:00:00Z"), read.freeze.windows, read.freeze.active)?.kind, "window");
    });

    it("no output (a program from before freezes) is no freeze; anything else the program would not write is reported", () => {
        assert.deepEqual(freezeFromOutput(undefined), { ok: true });
        assert.deepEqual(freezeFromOutput({ windows: [], active: null }), { ok: true, freeze: { windows: [] } });
        for (const bad of ["[secret]", { windows: "Fri" }, { windows: ["Fri 16:00 - Mon 08:00 Mars/Olympus"], active: null }, { windows: [], active: { reason: "x" } }, { windows: [], active: { reason: "x", by: "y", at: "yesterday" } }]) {
            assert.equal(freezeFromOutput(bad).ok, false, JSON.stringify(bad));
        }
    });
});
