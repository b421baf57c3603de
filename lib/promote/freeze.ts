import type { PlannedFileEdit } from "../config/write";
import { badInput } from "../errors";
import { AdHocFreeze, parseInstant } from "../freeze";
import { checkReason, Environment, isoSeconds, LastChange, markEdit, readStack } from "./common";

/**
 * `pinstack freeze <stack> --reason T [--until TIME]` records an ad-hoc freeze in
 * `pinstack:freeze.active` (who, when, why, until when); `--clear` removes it. Like a hold,
 * the reason also goes into `pinstack:lastChange`, so the file's history says who froze the
 * stack and who lifted it. Setting a freeze on a frozen stack replaces it (a new end or reason).
 */
export interface FreezePlan {
    readonly stack: string;
    /** The ad-hoc freeze after the change; absent once cleared. */
    readonly freeze?: AdHocFreeze;
    /** Absent when there is nothing to write (clearing a stack with no ad-hoc freeze). */
    readonly edit?: PlannedFileEdit;
    readonly previous?: AdHocFreeze;
}

export function planFreeze(request: { stack: string; clear: boolean; reason: string; until?: string }, env: Pick<Environment, "dir" | "now" | "by">): FreezePlan {
    const reason = checkReason(request.reason);
    const loaded = readStack(env.dir, request.stack);
    const previous = loaded.config.freeze.active;
    if (request.clear) {
        if (request.until !== undefined) throw badInput("--until does not go with --clear", { fix: "clear the freeze, or set it again with a new --until" });
        if (!previous) return { stack: loaded.config.stack };
        const lastChange: LastChange = { command: "freeze-clear", at: isoSeconds(env.now), by: env.by, reason };
        return { stack: loaded.config.stack, edit: markEdit(loaded, [{ path: ["pinstack:freeze", "active"], value: undefined }], lastChange), previous };
    }
    const until = request.until === undefined ? undefined : parseInstant(request.until, "--until");
    if (until && until.getTime() <= env.now.getTime()) {
        throw badInput(`--until ${request.until} is not in the future (now is ${isoSeconds(env.now)})`, { fix: "give the time the freeze should end, e.g. --until 2026-12-21T08:00:00Z" });
    }
    const freeze: AdHocFreeze = { reason, by: env.by, at: isoSeconds(env.now), ...(until ? { until: isoSeconds(until) } : {}) };
    const lastChange: LastChange = { command: "freeze", at: freeze.at, by: env.by, reason };
    return { stack: loaded.config.stack, freeze, edit: markEdit(loaded, [{ path: ["pinstack:freeze", "active"], value: freeze }], lastChange), previous };
}
