import { strict as assert } from "assert";
import { deployedCommitFromHistory, holdGate } from "../../../lib/ci";
import { PinstackError } from "../../../lib/errors";
import { collectEarlierPins, pinStateOf } from "../../../lib/rules";
import { DIGEST_A, DIGEST_B, serviceProvenance, stackFromYaml, stackYaml } from "./helpers";

const IMAGE = "ghcr.io/example/backend";
const deployedGood = stackFromYaml("production", stackYaml({ environment: "production", tag: "2023.04.2", digest: DIGEST_A }));
const deployedBad = stackFromYaml("production", stackYaml({ environment: "production", tag: "2023.05.1", digest: DIGEST_B }));

/** What `pinstack rollback production` writes: the last good pin, a rollback provenance, hold set. */
const rollback = stackFromYaml(
    "production",
    stackYaml({
        environment: "production",
        tag: "2023.04.2",
        digest: DIGEST_A,
        hold: true,
        provenance: serviceProvenance("backend", { image: IMAGE, tag: "2023.04.2", digest: DIGEST_A }, { rollback: true, reason: "5xx after 2023.05.1" }),
    }),
);

/** What the stack's successful updates ran (the gate reads it from `pulumi stack history`): deployedGood, then deployedBad. */
const ranBefore = collectEarlierPins([pinStateOf(deployedBad), pinStateOf(deployedGood)]);

describe("lib/ci: the production hold gate", () => {
    it("a stack that is not on hold deploys", () => {
        const verdict = holdGate(deployedBad, deployedGood);
        assert.deepEqual([verdict.refused, verdict.onHold], [false, false]);
    });

    it("on hold, deploying the rollback itself passes (its pins are ones the stack ran before)", () => {
        const verdict = holdGate(rollback, deployedBad, ranBefore);
        assert.deepEqual([verdict.refused, verdict.onHold], [false, true]);
        assert.match(verdict.message, /every changed pin returns to one it ran before/);
    });

    it("on hold without the stack's history, even the rollback is refused: nothing shows its pins ran before", () => {
        const verdict = holdGate(rollback, deployedBad);
        assert.equal(verdict.refused, true);
        assert.match(verdict.message, /no update history was given/);
    });

    it("on hold, rollback: true with a recomputed seal on a pin the stack never ran is refused", () => {
        const pin = { image: IMAGE, tag: "2023.06.1", digest: DIGEST_B };
        const forged = stackFromYaml("production", stackYaml({ environment: "production", ...pin, hold: true, provenance: serviceProvenance("backend", pin, { rollback: true, reason: "as staging" }) }));
        const verdict = holdGate(forged, deployedBad, ranBefore);
        assert.deepEqual(verdict.violations.map((v) => [v.rule, v.subject]), [["hold", "backend"]]);
    });

    it("on hold, a package change is refused (hold looks at packages too)", () => {
        const moved = stackFromYaml("production", stackYaml({ environment: "production", tag: "2023.05.1", digest: DIGEST_B, version: "10.9.0", hold: true }));
        const verdict = holdGate(moved, deployedBad, ranBefore);
        assert.deepEqual(verdict.violations.map((v) => v.subject), ["ukrdc-services"]);
    });

    it("on hold, re-deploying what runs (nothing changed) passes", () => {
        assert.equal(holdGate(rollback, rollback).refused, false);
        assert.equal(holdGate(rollback, rollback, ranBefore).refused, false);
    });

    it("on hold, a promotion (a changed pin without rollback provenance) is refused by the hold rule", () => {
        const promotion = stackFromYaml(
            "production",
            stackYaml({ environment: "production", tag: "2023.05.2", digest: DIGEST_B, hold: true, provenance: serviceProvenance("backend", { image: IMAGE, tag: "2023.05.2", digest: DIGEST_B }) }),
        );
        const verdict = holdGate(promotion, rollback, ranBefore);
        assert.equal(verdict.refused, true);
        assert.deepEqual(verdict.violations.map((v) => [v.rule, v.level, v.subject]), [["hold", "mandatory", "backend"]]);
        assert.match(verdict.message, /production is on hold/);
    });

    it("hold cleared in the change but set on what runs: still judged against the deployed hold", () => {
        const cleared = stackFromYaml("production", stackYaml({ environment: "production", tag: "2023.05.2", digest: DIGEST_B, hold: false }));
        assert.equal(holdGate(cleared, rollback, ranBefore).refused, true);
    });

    it("on hold with no known deployed config: refused, since a rollback cannot be told from a promotion", () => {
        const verdict = holdGate(rollback, undefined);
        assert.equal(verdict.refused, true);
        assert.match(verdict.message, /--history/);
    });
});

describe("lib/ci: the deployed commit, from `pulumi stack history --json`", () => {
    const sha = (c: string) => c.repeat(40);
    const update = (result: string, head?: string, kind = "update") => ({
        version: 3,
        kind,
        startTime: "2026-11-20T10:00:00Z",
        message: "m",
        environment: head ? { "git.head": head, "exec.kind": "cli" } : {},
        config: {},
        result,
    });

    it("is the git.head of the newest successful update", () => {
        const history = [update("failed", sha("c")), update("succeeded", sha("b")), update("succeeded", sha("a"))];
        assert.equal(deployedCommitFromHistory(JSON.stringify(history), "h.json"), sha("b"));
    });

    it("skips refreshes and previews-only kinds", () => {
        const history = [update("succeeded", sha("d"), "refresh"), update("succeeded", sha("b"))];
        assert.equal(deployedCommitFromHistory(JSON.stringify(history), "h.json"), sha("b"));
    });

    it("is unknown for a stack never updated, or an update that recorded no commit", () => {
        assert.equal(deployedCommitFromHistory("[]", "h.json"), undefined);
        assert.equal(deployedCommitFromHistory(JSON.stringify([update("succeeded")]), "h.json"), undefined);
        assert.equal(deployedCommitFromHistory(JSON.stringify([update("succeeded", "not-a-sha")]), "h.json"), undefined);
    });

    it("anything else is bad input (exit 2)", () => {
        for (const text of ["", "{", '{"version": 1}']) {
            assert.throws(() => deployedCommitFromHistory(text, "h.json"), (err: unknown) => err instanceof PinstackError && err.exitCode === 2 && /h\.json/.test(err.message), text);
        }
    });
});
