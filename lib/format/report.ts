import { formatLocation } from "../errors";
import type { StackConfig, Violation } from "../model";

/** One JSON object and a newline: the `--json` output unit of every command. */
export function jsonLine(value: unknown): string {
    return `${JSON.stringify(value)}\n`;
}

/** `file:line:col: key: level rule: message` — the shape editors and CI annotations read. */
export function formatViolation(violation: Violation, paint: (style: "red" | "yellow" | "dim", text: string) => string = (_s, t) => t): string {
    const where = violation.location && violation.location.file ? `${formatLocation(violation.location)}: ` : violation.stack ? `${violation.stack}: ` : "";
    const level = violation.level === "mandatory" ? paint("red", "error") : paint("yellow", "warning");
    return `${where}${level} [${violation.rule}] ${violation.message}`;
}

type Paint = (style: "red" | "green" | "yellow" | "dim", text: string) => string;

const plain: Paint = (_style, text) => text;

/** Violations in the order of the file: by line, then column (stable otherwise). */
export function sortViolations(violations: readonly Violation[]): Violation[] {
    return [...violations].sort((a, b) => (a.location?.line ?? 0) - (b.location?.line ?? 0) || (a.location?.column ?? 0) - (b.location?.column ?? 0));
}

/** One stack's check result. */
export interface CheckResult {
    readonly config: Pick<StackConfig, "stack" | "hold" | "holdReason">;
    readonly violations: readonly Violation[];
}

/**
 * `pinstack check`'s report for people: every violation (each stack's in file order), a blank
 * line, then one verdict line per stack. The program stops with the same text when a rule
 * refuses, so a failed `pulumi up` and `pinstack check` read alike.
 */
export function checkReport(results: readonly CheckResult[], paint: Paint = plain): string {
    let out = "";
    for (const { violations } of results) {
        for (const v of sortViolations(violations)) out += `${formatViolation(v, paint)}\n`;
    }
    if (out) out += "\n";
    for (const { config, violations } of results) {
        const errors = violations.filter((v) => v.level === "mandatory").length;
        const warnings = violations.filter((v) => v.level === "advisory").length;
        const verdict = errors ? paint("red", "refused") : paint("green", "ok");
        const hold = config.hold ? paint("yellow", ` (on hold${config.holdReason ? `: ${config.holdReason}` : ""})`) : "";
        out += `${config.stack}: ${verdict}, ${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}${hold}\n`;
    }
    return out;
}
