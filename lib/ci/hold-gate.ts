import { badInput } from "../errors";
import { parseStackHistory, type StackUpdate } from "../pulumi-cli";
import type { StackConfig, Violation } from "../model";
import type { EarlierPins } from "../rules";
import { effectivePreset, evaluateStack } from "../rules";
import { holdChanges } from "../rules/hold-pins";
import { pinStateOf } from "../rules/hold";
import { type FreezeFacts, frozenMessage } from "../freeze";

/**
 * The deploy's hold gate. A stack on hold (`pinstack:hold`, set by `pinstack rollback`) may
 * only be deployed when it runs what it runs now, except for pins that return to ones its
 * successful updates ran before. "What runs now" is the config of the last successful update
 * (CI reads its commit from `pulumi stack history`), "ran before" the config every successful
 * update recorded (the same history); the decision is lib/rules' `hold`, the one `pinstack
 * check` and the policy pack make.
 */

export interface HoldVerdict {
    readonly refused: boolean;
    /** The stack (or the deployed config) is on hold. */
    readonly onHold: boolean;
    /** The stack is frozen (a freeze window or `pinstack freeze`) at the time of the deploy. */
    readonly frozen: boolean;
    readonly violations: readonly Violation[];
    readonly message: string;
}

/**
 * @param config the config about to be deployed
 * @param deployed the config of the last successful update; undefined when unknown
 * @param earlier the pins the stack's successful updates ran; undefined when no history was given (then no pin may move)
 */
export function holdGate(config: StackConfig, deployed: StackConfig | undefined, earlier?: EarlierPins, freeze?: FreezeFacts): HoldVerdict {
    const hold = holdVerdict(config, deployed, earlier);
    if (hold.refused || !freeze) return { ...hold, frozen: freeze !== undefined };
    return freezeVerdict(config, deployed, earlier, freeze, hold.onHold);
}

/**
 * A frozen stack is gated as a held one (the same lib/rules/hold-pins decision), except for
 * the pins promoted with --break-glass through the freeze (`freeze.breakGlass`).
 */
function freezeVerdict(config: StackConfig, deployed: StackConfig | undefined, earlier: EarlierPins | undefined, freeze: FreezeFacts, onHold: boolean): HoldVerdict {
    const frozen = frozenMessage(config.stack, freeze);
    if (!deployed) {
        return { refused: true, onHold, frozen: true, violations: [], message: `${frozen}; the config of its last successful update is unknown, so a rollback cannot be told from a promotion: refusing. Pass the output of \`pulumi stack history --json\` with --history` };
    }
    const passing = new Set(freeze.breakGlass);
    const changes = holdChanges(pinStateOf(config), pinStateOf(deployed), earlier, { deployedDigests: "exact", historySource: "the output of `pulumi stack history --json`" }).filter((c) => !passing.has(c.name));
    const violations: Violation[] = changes.map((c) => ({ rule: "hold", level: "mandatory", subject: c.name, message: `${c.kind} ${c.name} ${c.why}: ${frozen}`, location: (config.services.find((s) => s.name === c.name) ?? config.packages.find((p) => p.name === c.name))?.location }));
    if (violations.length > 0) return { refused: true, onHold, frozen: true, violations, message: violations.map((v) => v.message).join("\n") };
    const glass = freeze.breakGlass.length ? ` (${freeze.breakGlass.join(", ")} through --break-glass)` : "";
    return { refused: false, onHold, frozen: true, violations, message: `${config.stack} is frozen (${freeze.name}); every changed pin returns to one it ran before${glass}, so it may be deployed` };
}

function holdVerdict(config: StackConfig, deployed: StackConfig | undefined, earlier?: EarlierPins): Omit<HoldVerdict, "frozen"> {
    const onHold = config.hold || (deployed?.hold ?? false);
    if (!onHold) return { refused: false, onHold, violations: [], message: `${config.stack} is not on hold` };
    const reason = config.holdReason ?? deployed?.holdReason;
    if (!deployed) {
        return {
            refused: true,
            onHold,
            violations: [],
            message:
                `${config.stack} is on hold${reason ? ` (${reason})` : ""} and the config of its last successful update is unknown, ` +
                "so a rollback cannot be told from a promotion: refusing. Pass the output of `pulumi stack history --json` with --history",
        };
    }
    const violations = evaluateStack(config, effectivePreset(config), { previous: deployed, earlier }).filter((v) => v.rule === "hold" && v.level === "mandatory");
    return violations.length > 0
        ? { refused: true, onHold, violations, message: violations.map((v) => v.message).join("\n") }
        : { refused: false, onHold, violations, message: `${config.stack} is on hold${reason ? ` (${reason})` : ""}; every changed pin returns to one it ran before, so it may be deployed` };
}

/**
 * The commit of the last successful update, from `pulumi stack history --json` (newest
 * first; Pulumi records the checked-out commit as `environment["git.head"]`). Undefined
 * when the stack was never updated, or its last successful update recorded no commit.
 * Throws bad input (exit 2) when the text is not that command's output.
 */
export function deployedCommitFromHistory(text: string, file: string): string | undefined {
    for (const update of historyList(text, file)) {
        if (typeof update !== "object" || update === null) continue;
        const { kind, result, environment } = update as { kind?: unknown; result?: unknown; environment?: unknown };
        if (kind !== "update" || result !== "succeeded") continue;
        const head = typeof environment === "object" && environment !== null ? (environment as Record<string, unknown>)["git.head"] : undefined;
        return typeof head === "string" && /^[0-9a-f]{40}$/.test(head) ? head : undefined;
    }
    return undefined;
}

/** The updates of `pulumi stack history --json` output, newest first. Throws bad input (exit 2) when the text is not that output. */
export function historyUpdates(text: string, file: string): StackUpdate[] {
    if (historyList(text, file).some((u) => typeof u !== "object" || u === null || Array.isArray(u))) {
        throw badInput(`${file}: every entry must be an update object (the output of \`pulumi stack history --json\`)`);
    }
    return parseStackHistory(text);
}

function historyList(text: string, file: string): unknown[] {
    let history: unknown;
    try {
        history = JSON.parse(text);
    } catch (err) {
        throw badInput(`${file}: malformed JSON (${err instanceof Error ? err.message : String(err)})`, { fix: "pass the output of `pulumi stack history --json`" });
    }
    if (!Array.isArray(history)) throw badInput(`${file}: expected a list of updates (the output of \`pulumi stack history --json\`)`);
    return history;
}
