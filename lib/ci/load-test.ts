import type { Gates, StackConfig } from "../model";
import { effectivePreset, evaluateStack } from "../rules";

/**
 * Merino's load-test gate: the label `[load test: abort|skip|warn]` in the commit being
 * deployed says what a failing load test does to the deployment. No label means "run it
 * and warn". As in Merino (load tests run against stage before prod), CI load-tests
 * staging after deploying it, records the outcome on the commit, and the production
 * deployment of that commit passes through this gate.
 */

export { LOAD_TEST_MODES, LoadTestLabel, LoadTestMode, parseLoadTestLabel } from "../rules/load-test-label";
import type { LoadTestMode } from "../rules/load-test-label";

/** What the load test did. `not-run`: there is no load-test hook, or the label skipped it. */
export type LoadTestOutcome = "passed" | "failed" | "not-run";

export const LOAD_TEST_OUTCOMES: readonly LoadTestOutcome[] = ["passed", "failed", "not-run"];

export interface LoadTestVerdict {
    /** Whether the stack may be deployed. */
    readonly deploy: boolean;
    /** `notice`: all is well; `warning`: deploy, but tell people; `error`: do not deploy. */
    readonly level: "notice" | "warning" | "error";
    readonly message: string;
}

/**
 * The gate before deploying `config`'s stack: the label's mode and the load test's outcome
 * go to lib/rules' load-test-gate rule (the rule `pinstack check` and the policy pack use),
 * at the level the stack's preset gives it (mandatory on production, disabled on staging,
 * which is what gets load-tested). Gates are strict here — this is deployment time — so
 * `abort` with no load test result refuses: the commit asked for a test that stops the
 * deployment on failure, and deploying untested would not honour that.
 */
export function loadTestVerdict(config: StackConfig, mode: LoadTestMode, outcome: LoadTestOutcome): LoadTestVerdict {
    const gates: Gates = { loadTest: mode, ...(outcome === "not-run" ? {} : { loadTestPassed: outcome === "passed" }) };
    const findings = evaluateStack(config, effectivePreset(config), { gates, strictGates: true }).filter((v) => v.rule === "load-test-gate");
    const refusing = findings.filter((v) => v.level === "mandatory");
    if (refusing.length > 0) {
        return { deploy: false, level: "error", message: `${config.stack} may not be deployed: ${refusing.map((v) => v.message).join("; ")}` };
    }
    if (findings.length > 0) {
        return { deploy: true, level: "warning", message: findings.map((v) => v.message).join("; ") };
    }
    if (mode === "skip") return { deploy: true, level: "notice", message: "load test skipped: the commit says [load test: skip]" };
    if (outcome === "not-run") {
        return { deploy: true, level: "warning", message: `no load test result (no scripts/load-test hook, or it did not run); ${config.stack} may be deployed without one` };
    }
    return { deploy: true, level: "notice", message: outcome === "passed" ? "load test passed" : "load test failed; the stack's level for load-test-gate lets the deployment go on" };
}

/**
 * How CI records a load test on the commit (a commit status description), so the production
 * workflow, run later and by hand, can gate on it: `mode=abort outcome=failed`.
 */
export function formatLoadTestRecord(mode: LoadTestMode, outcome: LoadTestOutcome): string {
    return `mode=${mode} outcome=${outcome}`;
}

/** Reads formatLoadTestRecord's text; undefined when it is not one. */
export function parseLoadTestRecord(text: string): { mode: LoadTestMode; outcome: LoadTestOutcome } | undefined {
    const match = /^mode=(abort|skip|warn) outcome=(passed|failed|not-run)$/.exec(text.trim());
    return match ? { mode: match[1] as LoadTestMode, outcome: match[2] as LoadTestOutcome } : undefined;
}
