/** Runbook gates given to the pack by CI: Merino's load test label and result, GWCelery's checklist. */
import * as assert from "assert";
import { acceptanceChecklist } from "../../../policies/acceptance-checklist";
import { loadTestGate } from "../../../policies/load-test-gate";
import { loadTestWarning } from "../../../policies/load-test-warning";
import { deployment, stackResource } from "./fixtures";
import { assertHasResourceViolation, assertNoResourceViolations, configFromFile, resourceArgs, runResourcePolicy } from "./helpers";

/** The gates run once, on the program's root Stack resource. */
const args = (policy: string, extra: Record<string, unknown>, stack = "production") =>
    resourceArgs({ ...stackResource({}), config: { ...configFromFile(stack, policy), ...extra } });

describe("policies: runbook gates", () => {
    describe("load-test-gate and load-test-warning (Merino)", () => {
        it("passes with no label and no result yet (a pull-request preview)", async () => {
            await assertNoResourceViolations(loadTestGate, args("load-test-gate", {}));
            await assertNoResourceViolations(loadTestWarning, args("load-test-warning", {}));
        });

        it("passes a load test that passed under abort", async () => {
            await assertNoResourceViolations(loadTestGate, args("load-test-gate", { loadTest: "abort", loadTestResult: "passed" }));
        });

        it("refuses a failed load test under [load test: abort]", async () => {
            await assertHasResourceViolation(loadTestGate, args("load-test-gate", { loadTest: "abort", loadTestResult: "failed" }), /load test failed and the commit is labelled \[load test: abort\]/);
            await assertNoResourceViolations(loadTestWarning, args("load-test-warning", { loadTest: "abort", loadTestResult: "failed" }));
        });

        it("under abort with strictGates, refuses a missing result", async () => {
            await assertHasResourceViolation(loadTestGate, args("load-test-gate", { loadTest: "abort", strictGates: true }), /no load test result was given/);
        });

        it("under warn (the default), a failed load test only warns: load-test-warning reports it, load-test-gate does not", async () => {
            for (const extra of [{ loadTest: "warn", loadTestResult: "failed" }, { loadTestResult: "failed" }]) {
                await assertNoResourceViolations(loadTestGate, args("load-test-gate", extra));
                await assertHasResourceViolation(loadTestWarning, args("load-test-warning", extra), /the load test failed; the deployment proceeds/);
            }
            assert.strictEqual(loadTestWarning.enforcementLevel, "advisory");
        });

        it("under skip, a failed load test is not reported", async () => {
            await assertNoResourceViolations(loadTestGate, args("load-test-gate", { loadTest: "skip", loadTestResult: "failed" }));
            await assertNoResourceViolations(loadTestWarning, args("load-test-warning", { loadTest: "skip", loadTestResult: "failed" }));
        });

        it("does not apply on staging (staging is what gets load-tested)", async () => {
            assert.deepStrictEqual(await runResourcePolicy(loadTestGate, args("load-test-gate", { loadTest: "abort", loadTestResult: "failed" }, "staging")), []);
        });
    });

    it("run on the Stack resource only, once per preview (other resources are not read)", async () => {
        for (const policy of [loadTestGate, loadTestWarning, acceptanceChecklist]) {
            const failing = { ...configFromFile("production", policy.name), loadTest: "abort", loadTestResult: "failed", acceptanceComplete: false };
            assert.deepStrictEqual(await runResourcePolicy(policy, resourceArgs({ ...deployment(), config: failing })), [], policy.name);
        }
    });

    describe("acceptance-checklist (GWCelery)", () => {
        it("passes a complete checklist, and a missing result when gates are not strict", async () => {
            await assertNoResourceViolations(acceptanceChecklist, args("acceptance-checklist", { acceptanceComplete: true }));
            await assertNoResourceViolations(acceptanceChecklist, args("acceptance-checklist", {}));
        });

        it("refuses an incomplete checklist", async () => {
            await assertHasResourceViolation(acceptanceChecklist, args("acceptance-checklist", { acceptanceComplete: false }), /acceptance checklist is not complete/);
        });

        it("with strictGates, refuses a missing result", async () => {
            await assertHasResourceViolation(acceptanceChecklist, args("acceptance-checklist", { strictGates: true }), /no acceptance checklist result was given/);
        });
    });
});
