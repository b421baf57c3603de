import type { FreezeConfig } from "../model";
import type { AdHocFreeze } from "./frozen";
import { FreezeWindow, parseWindow } from "./windows";

/**
 * The program's `freeze` stack output: the deployed config's windows (as written) and its
 * ad-hoc freeze. `pinstack ci policy-config` reads it back, so a change that deletes the
 * freeze from the stack file does not lift it for the pack judging that change.
 */
export interface FreezeOutput {
    readonly windows: readonly string[];
    readonly active: AdHocFreeze | null;
}

export function freezeOutput(freeze: FreezeConfig): FreezeOutput {
    return { windows: freeze.windows.map((w) => w.text), active: freeze.active ?? null };
}

/**
 * The deployed freeze from `pulumi stack output --json`'s `freeze`; undefined when the program
 * exported none (deployed before freezes existed). A value that is not the program's own
 * output is reported, never read as "not frozen".
 */
export function freezeFromOutput(value: unknown): { ok: true; freeze?: { windows: FreezeWindow[]; active?: AdHocFreeze } } | { ok: false; why: string } {
    if (value === undefined) return { ok: true };
    if (!isObject(value) || !Array.isArray(value.windows)) return { ok: false, why: "is not {windows, active}" };
    const windows: FreezeWindow[] = [];
    for (const text of value.windows) {
        const parsed = typeof text === "string" ? parseWindow(text) : { problem: `${JSON.stringify(text)} is not a window` };
        if ("problem" in parsed) return { ok: false, why: `has a window pinstack cannot read: ${parsed.problem}` };
        windows.push(parsed);
    }
    const active = value.active;
    if (active === null || active === undefined) return { ok: true, freeze: { windows } };
    if (!isObject(active) || typeof active.reason !== "string" || typeof active.by !== "string" || typeof active.at !== "string" || Number.isNaN(Date.parse(active.at)) || (active.until !== undefined && (typeof active.until !== "string" || Number.isNaN(Date.parse(active.until))))) {
        return { ok: false, why: "has an ad-hoc freeze that is not {reason, by, at, until}" };
    }
    return { ok: true, freeze: { windows, active: { reason: active.reason, by: active.by, at: active.at, ...(typeof active.until === "string" ? { until: active.until } : {}) } } };
}

function isObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}
