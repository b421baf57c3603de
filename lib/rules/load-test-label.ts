/**
 * Merino's load-test label, `[load test: abort|skip|warn]` in the commit being deployed: the one
 * parser `pinstack check --commit-message`, `pinstack ci load-test-label` and CI's gate use. A
 * typo in a label is reported, never read as "no label": `[load test: abrot]` silently meaning
 * warn would let a failed load test through a commit that asked to abort.
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
