import type { Gates, StackConfig } from "../model";
import { effectivePreset, evaluateStack } from "../rules";

/**
 * Merino's load-test gate: the label `[load test: abort|skip|warn]` in the commit being
 * deployed says what a failing load test does to the deployment. No label means "run it
 * and warn". As in Merino (load tests run against stage before prod), CI load-tests
 * staging after deploying it, records the outcome on the commit, and the production
 * deployment of that commit passes through this gate.
 */

export type LoadTestMode = "abort" | "skip" | "warn";

export const LOAD_TEST_MODES: readonly LoadTestMode[] = ["abort", "skip", "warn"];

/** What a commit message says about load testing. */
export type LoadTestLabel =
    /** A well-formed label; `label` is the text as written. */
    | { readonly kind: "label"; readonly mode: LoadTestMode; readonly label: string }
    /** No label: run the load test and warn if it fails. */
    | { readonly kind: "default"; readonly mode: "warn" }
    /** Something that looks like a label but is not one; the deployment must not guess. */
    | { readonly kind: "malformed"; readonly label: string; readonly problem: string };

// Anything that starts like a label, so typos are reported instead of silently ignored:
// `[load test ...`, `[Load-Test ...`, `[loadtest ...`, `[load testing ...`, up to the closing bracket or the end of the line.
const CANDIDATE = /\[[ \t]*load[ \t_-]*test\w*[^\]\n]*\]?/gi;
// The one accepted form. Case and spacing are free: `[Load Test:ABORT]` is the same label.
const VALID = /^\[[ \t]*load[ \t]+test[ \t]*:[ \t]*(abort|skip|warn)[ \t]*\]$/i;

/** Reads the load-test label from a commit message (subject and body). */
export function parseLoadTestLabel(message: string): LoadTestLabel {
    const found: { label: string; mode: LoadTestMode }[] = [];
    for (const match of message.matchAll(CANDIDATE)) {
        const label = match[0].trim();
        const valid = VALID.exec(label);
        if (!valid) return { kind: "malformed", label, problem: describeProblem(label) };
        found.push({ label, mode: valid[1].toLowerCase() as LoadTestMode });
    }
    if (found.length === 0) return { kind: "default", mode: "warn" };
    const modes = [...new Set(found.map((f) => f.mode))];
    if (modes.length > 1) {
        return {
            kind: "malformed",
            label: found.map((f) => f.label).join(" "),
            problem: `the message has conflicting labels (${modes.join(", ")})`,
        };
    }
    return { kind: "label", mode: found[0].mode, label: found[0].label };
}

function describeProblem(label: string): string {
    if (!label.endsWith("]")) return "the label has no closing bracket";
    if (!/^\[[ \t]*load[ \t]+test\b/i.test(label)) return "the label must be spelled `load test` (two words)";
    if (!label.includes(":")) return "the label has no `:` before the mode";
    const mode = label.slice(label.indexOf(":") + 1, -1).trim();
    if (mode === "") return "the label names no mode";
    return `unknown mode '${mode}'`;
}

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
