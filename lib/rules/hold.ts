import type { PackagePin, ServicePin, StackConfig } from "../model";
import { samePin } from "../pin";
import { packageSubject, sealedBeforeContainers, serviceSubject, verifySeal } from "../provenance";
import type { Finding, ImageSubject, Rule, RuleContext, StackRuleOptions } from "./types";
import { describeImage } from "./types";

function holdMessage(config: Pick<StackConfig, "stack" | "holdReason">): string {
    const reason = config.holdReason ? ` (${config.holdReason})` : "";
    return `${config.stack} is on hold${reason}: only rollbacks pass; finish the incident, then clear pinstack:hold in a reviewed change`;
}

/**
 * A pin `pinstack rollback` wrote, still as it wrote it: rollback provenance whose seal
 * verifies over the pin. A hand edit of the tag under a rollback provenance breaks the seal,
 * and is then a change like any other (the provenance rule may be off where the stack is, as
 * on staging, so hold must not take `rollback: true` on trust).
 */
function isSealedRollback(service: ServicePin): boolean {
    const provenance = service.provenance;
    if (!provenance?.rollback) return false;
    const subject = serviceSubject(service);
    return verifySeal(subject, provenance) || sealedBeforeContainers(subject, provenance);
}

/** Options for the image form of the hold rule. */
export interface HoldInput {
    readonly hold: boolean;
    readonly holdReason?: string;
    /** The image is being deployed by `pinstack rollback`. */
    readonly rollback?: boolean;
}

/**
 * Hold (set by `pinstack rollback`): while set, only rollback pins may change. A static
 * config has no "change", so the stack form needs `previous` (the config before the
 * change: base branch, or last deployed); pins that differ from it must carry a
 * rollback provenance. The image form refuses any image unless it is a rollback.
 */
export const holdRule: Rule & { imageOnHold(image: ImageSubject, stack: string, input: HoldInput): Finding[] } = {
    id: "hold",
    description: "While a stack is on hold (pinstack:hold, set by rollback), only rollbacks may change its pins.",
    stack(config: StackConfig, _context: RuleContext, options: StackRuleOptions): Finding[] {
        const previous = options.previous;
        if (!previous || !(config.hold || previous.hold)) return [];
        const held = config.hold ? config : previous;
        const findings: Finding[] = [];
        const before = new Map<string, ServicePin>(previous.services.map((s) => [s.name, s]));
        for (const service of config.services) {
            const old = before.get(service.name);
            // Its init containers and sidecars are part of the pin: a change to one alone is a change.
            if (old && samePin(old, service, { digests: "exact" })) continue;
            if (isSealedRollback(service)) continue;
            findings.push({ subject: service.name, location: service.fieldLocations?.tag ?? service.location, message: `service ${service.name} changed: ${holdMessage(held)}` });
        }
        const beforePackages = new Map<string, PackagePin>(previous.packages.map((p) => [p.name, p]));
        for (const pkg of config.packages) {
            if (beforePackages.get(pkg.name)?.version === pkg.version || (pkg.provenance?.rollback && verifySeal(packageSubject(pkg), pkg.provenance))) continue;
            findings.push({ subject: pkg.name, location: pkg.fieldLocations?.version ?? pkg.location, message: `package ${pkg.name} changed: ${holdMessage(held)}` });
        }
        return findings;
    },
    imageOnHold(image: ImageSubject, stack: string, input: HoldInput): Finding[] {
        if (!input.hold || input.rollback) return [];
        return [{ subject: image.service ?? image.ref.name, message: `${describeImage(image)} cannot be deployed now: ${holdMessage({ stack, holdReason: input.holdReason })}` }];
    },
};
