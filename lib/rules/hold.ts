import type { StackConfig } from "../model";
import { holdChanges, type PinState } from "./hold-pins";
import type { Finding, ImageSubject, Rule, RuleContext, StackRuleOptions } from "./types";
import { describeImage } from "./types";

export function holdMessage(config: Pick<StackConfig, "stack" | "holdReason">): string {
    const reason = config.holdReason ? ` (${config.holdReason})` : "";
    return `${config.stack} is on hold${reason}: only rollbacks pass (a return to pins it ran before); finish the incident, then clear pinstack:hold in a reviewed change`;
}

/** What a parsed stack config runs, as hold compares it. */
export function pinStateOf(config: Pick<StackConfig, "services" | "packages">): PinState {
    return { services: new Map(config.services.map((s) => [s.name, s])), packages: new Map(config.packages.map((p) => [p.name, p.version])) };
}

/** Options for the image form of the hold rule. */
export interface HoldInput {
    readonly hold: boolean;
    readonly holdReason?: string;
    /** The image is being deployed by `pinstack rollback`. */
    readonly rollback?: boolean;
    /** The stack is frozen: why and until when (lib/freeze's describeFreeze); a freeze is held like a hold. */
    readonly frozen?: string;
}

/**
 * Hold (set by `pinstack rollback`): while set, the stack runs what it runs now, except for
 * pins that go back to ones its successful updates ran (lib/rules/hold-pins). A static config
 * has no "change", so the stack form needs `previous` (the deployed config, or the base
 * branch's) and, for pins that moved, `earlier` (the stack's own history). `rollback: true`
 * in a provenance proves nothing here: anyone can write it and recompute the seal. The image
 * form (verify-image) refuses any image unless the caller says it is a rollback.
 */
export const holdRule: Rule & { imageOnHold(image: ImageSubject, stack: string, input: HoldInput): Finding[] } = {
    id: "hold",
    description: "While a stack is on hold (pinstack:hold, set by rollback), it may only run what it runs now or pins its own successful updates ran before.",
    stack(config: StackConfig, _context: RuleContext, options: StackRuleOptions): Finding[] {
        const previous = options.previous;
        if (!previous || !(config.hold || previous.hold)) return [];
        const held = config.hold ? config : previous;
        const changes = holdChanges(pinStateOf(config), pinStateOf(previous), options.earlier, { deployedDigests: "exact", historySource: "the output of `pulumi stack history --json`" });
        return changes.map((change) => {
            const pin = change.kind === "service" ? config.services.find((s) => s.name === change.name) : config.packages.find((p) => p.name === change.name);
            const field = change.kind === "service" ? "tag" : "version";
            return {
                subject: change.name,
                location: pin ? (pin.fieldLocations?.[field] ?? pin.location) : undefined,
                message: `${change.kind} ${change.name} ${change.why}: ${holdMessage(held)}`,
            };
        });
    },
    imageOnHold(image: ImageSubject, stack: string, input: HoldInput): Finding[] {
        if (input.rollback || !(input.hold || input.frozen)) return [];
        const why = input.hold ? holdMessage({ stack, holdReason: input.holdReason }) : `${stack} is frozen: ${input.frozen}: only rollbacks pass`;
        return [{ subject: image.service ?? image.ref.name, message: `${describeImage(image)} cannot be deployed now: ${why}` }];
    },
};
