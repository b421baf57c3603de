import { formatLocation } from "../errors";
import type { Violation } from "../model";

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
