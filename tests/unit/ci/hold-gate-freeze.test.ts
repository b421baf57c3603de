import { strict as assert } from "assert";
import { holdGate } from "../../../lib/ci";
import { collectEarlierPins, pinStateOf } from "../../../lib/rules";
import { DIGEST_A, DIGEST_B, stackFromYaml, stackYaml } from "./helpers";

const deployedGood = stackFromYaml("production", stackYaml({ environment: "production", tag: "2023.04.2", digest: DIGEST_A }));
const deployedBad = stackFromYaml("production", stackYaml({ environment: "production", tag: "2023.05.1", digest: DIGEST_B }));
const ranBefore = collectEarlierPins([pinStateOf(deployedBad), pinStateOf(deployedGood)]);
const weekend = { name: "Fri 16:00 - Mon 08:00 Europe/London", until: "2026-12-14T08:00:00Z", breakGlass: [] as string[] };

describe("lib/ci: the deploy gate under a freeze", () => {
    it("refuses a new pin while frozen, naming the freeze; the same deploy passes unfrozen", () => {
        const frozen = holdGate(deployedBad, deployedGood, collectEarlierPins([pinStateOf(deployedGood)]), weekend);
        assert.deepEqual([frozen.refused, frozen.onHold, frozen.frozen], [true, false, true]);
        assert.deepEqual(frozen.violations.map((v) => [v.rule, v.subject]), [["hold", "backend"]]);
        assert.match(frozen.message, /^service backend moved .*: production is frozen: Fri 16:00 - Mon 08:00 Europe\/London, until 2026-12-14T08:00:00Z: only rollbacks pass/);
        assert.equal(holdGate(deployedBad, deployedGood, collectEarlierPins([pinStateOf(deployedGood)])).refused, false);
    });

    it("passes a return to pins the stack ran (a rollback), and a pin that broke the glass", () => {
        assert.equal(holdGate(deployedGood, deployedBad, ranBefore, weekend).refused, false);
        const glass = holdGate(deployedBad, deployedGood, collectEarlierPins([pinStateOf(deployedGood)]), { ...weekend, breakGlass: ["backend"] });
        assert.equal(glass.refused, false);
        assert.match(glass.message, /backend through --break-glass/);
    });

    it("refuses when the deployed config is unknown: nothing tells a rollback from a promotion", () => {
        const verdict = holdGate(deployedGood, undefined, ranBefore, weekend);
        assert.equal(verdict.refused, true);
        assert.match(verdict.message, /config of its last successful update is unknown/);
    });
});
