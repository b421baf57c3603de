import type { ConfigChange, PlannedFileEdit } from "../config/write";
import { checkReason, Environment, isoSeconds, LastChange, markEdit, readStack } from "./common";

/**
 * `pinstack hold <stack> --reason T` sets `pinstack:hold` (only rollbacks pass);
 * `--clear` lifts it. Both write the reason into `pinstack:lastChange`, so lifting a hold
 * is in the file's history with its reason like every other change.
 */
export interface HoldPlan {
    readonly stack: string;
    readonly hold: boolean;
    /** Absent when the stack is already in the asked state (nothing to write). */
    readonly edit?: PlannedFileEdit;
    readonly previousReason?: string;
}

export function planHold(request: { stack: string; clear: boolean; reason: string }, env: Pick<Environment, "dir" | "now" | "by">): HoldPlan {
    const reason = checkReason(request.reason);
    const loaded = readStack(env.dir, request.stack);
    const stack = loaded.config;
    const want = !request.clear;
    if (stack.hold === want) return { stack: stack.stack, hold: want, previousReason: stack.holdReason };
    const lastChange: LastChange = { command: want ? "hold" : "hold-clear", at: isoSeconds(env.now), by: env.by, reason };
    const changes: ConfigChange[] = [
        { path: ["pinstack:hold"], value: want },
        { path: ["pinstack:holdReason"], value: want ? reason : undefined },
    ];
    return { stack: stack.stack, hold: want, edit: markEdit(loaded, changes, lastChange), previousReason: stack.holdReason };
}
