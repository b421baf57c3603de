import { refused, PinstackError } from "../errors";
import type { Provenance, StackConfig } from "../model";
import { Freeze, isFrozen } from "./frozen";
import { isoSeconds } from "./now";

/** The freeze a stack is under at `now`: its declared windows and its ad-hoc freeze. */
export function stackFreeze(config: Pick<StackConfig, "freeze">, now: Date): Freeze | undefined {
    return isFrozen(now, config.freeze.windows, config.freeze.active);
}

/** "window 'Fri 16:00 - Mon 08:00 Europe/London' until 2026-12-14T08:00:00Z", or the ad-hoc freeze with who and why. */
export function describeFreeze(freeze: Freeze): string {
    const what = freeze.kind === "ad-hoc" ? `an ad-hoc freeze set by ${freeze.by} at ${isoSeconds(freeze.since)} (${freeze.reason})` : `freeze window '${freeze.name}'`;
    return `${what}, ${freeze.until ? `until ${isoSeconds(freeze.until)}` : "until it is cleared"}`;
}

/** The refusal (exit 1) of a change to a frozen stack, naming the freeze and what may still be done. */
export function frozenRefusal(stack: string, freeze: Freeze, change: string): PinstackError {
    return refused(`${stack} is frozen: ${describeFreeze(freeze)}; ${change}`, {
        why: "while a stack is frozen only rollbacks pass",
        fix:
            freeze.kind === "ad-hoc"
                ? `wait, lift it (pinstack freeze ${stack} --clear --reason "..."), or for an emergency change: pinstack promote ... --break-glass --reason "..."`
                : `wait until the window ends, or for an emergency change: pinstack promote ... --break-glass --reason "..." (recorded in the provenance)`,
    });
}

/** A pin the stack file says changed while it was frozen. */
export interface FrozenChange {
    readonly kind: "service" | "package";
    readonly name: string;
    readonly at: string;
}

/**
 * The pins of a frozen stack whose provenance says they were written during this freeze by a
 * promotion that neither rolled back nor broke the glass. The stack file alone shows no
 * "change", so its provenance times stand in for one; a pin edited by hand keeps an old
 * time but breaks its seal, which the provenance rule refuses.
 */
export function changesDuringFreeze(config: Pick<StackConfig, "services" | "packages">, freeze: Freeze): FrozenChange[] {
    const during = (p: Provenance | undefined): p is Provenance => p !== undefined && !p.rollback && !p.breakGlass && Date.parse(p.at) >= freeze.since.getTime();
    return [
        ...config.services.filter((s) => during(s.provenance)).map((s) => ({ kind: "service" as const, name: s.name, at: s.provenance!.at })),
        ...config.packages.filter((p) => during(p.provenance)).map((p) => ({ kind: "package" as const, name: p.name, at: p.provenance!.at })),
    ];
}

/**
 * What `pinstack ci policy-config` tells the pack about a freeze (its `hold.freeze` setting):
 * the freeze, and the pins of the change under review that broke the glass through it (a
 * sealed `breakGlass` provenance written during this freeze), which the pack lets pass.
 */
export interface FreezeFacts {
    readonly name: string;
    readonly until?: string;
    readonly by?: string;
    readonly reason?: string;
    /** Services and packages promoted with --break-glass through this freeze. */
    readonly breakGlass: readonly string[];
}

export function freezeFacts(config: Pick<StackConfig, "services" | "packages">, freeze: Freeze, sealHolds: (kind: "service" | "package", name: string) => boolean): FreezeFacts {
    const through = (kind: "service" | "package", name: string, p: Provenance | undefined) => p?.breakGlass?.freeze === freeze.name && Date.parse(p.at) >= freeze.since.getTime() && sealHolds(kind, name);
    const breakGlass = [
        ...config.services.filter((s) => through("service", s.name, s.provenance)).map((s) => s.name),
        ...config.packages.filter((p) => through("package", p.name, p.provenance)).map((p) => p.name),
    ];
    return { name: freeze.name, ...(freeze.until ? { until: isoSeconds(freeze.until) } : {}), ...(freeze.by ? { by: freeze.by } : {}), ...(freeze.reason ? { reason: freeze.reason } : {}), breakGlass };
}

/** The pack's message for a change to a frozen stack. */
export function frozenMessage(stack: string, facts: Pick<FreezeFacts, "name" | "until" | "by" | "reason">): string {
    const who = facts.by ? ` set by ${facts.by}${facts.reason ? ` (${facts.reason})` : ""}` : "";
    return `${stack} is frozen: ${facts.name}${who}, ${facts.until ? `until ${facts.until}` : "until it is cleared"}: only rollbacks pass (a return to pins it ran before), or a promotion with --break-glass`;
}
