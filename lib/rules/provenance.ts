import type { PackagePin, Provenance } from "../model";
import { packageSubject, SealSubject, sealedBeforeContainers, serviceSubject, verifySeal } from "../provenance";
import type { Finding, Rule, RuleContext, ServiceUnderRule } from "./types";

/** Why a pin's provenance does not show it was promoted from `from`, or undefined when it does. */
export function provenanceProblem(subject: SealSubject, provenance: Provenance | undefined, from: string): string | undefined {
    if (!provenance) return `was typed in, not promoted (no provenance)`;
    if (provenance.from !== from) return `was promoted from '${provenance.from}', not from '${from}'`;
    if (!verifySeal(subject, provenance)) {
        if (sealedBeforeContainers(subject, provenance)) {
            return "has a provenance sealed before seals covered init containers and sidecars, so nothing shows its containers were promoted with it";
        }
        return "has a provenance whose seal does not match this pin or its init containers and sidecars (edited by hand after promotion, or copied from another pin)";
    }
    return undefined;
}

/** Rule `provenance`: pins carry a sealed provenance from the preset's promoteFrom stack. */
export const provenanceRule: Rule = {
    id: "provenance",
    description: "Pins on a stack with promoteFrom (production) carry a sealed provenance showing they were promoted from that stack.",
    service(pin: ServiceUnderRule, context: RuleContext): Finding[] {
        return unpromoted("service", pin, serviceSubject(pin), context);
    },
    package(pin: PackagePin, context: RuleContext): Finding[] {
        return unpromoted("package", pin, packageSubject(pin), context);
    },
};

function unpromoted(kind: "service" | "package", pin: ServiceUnderRule | PackagePin, subject: SealSubject, context: RuleContext): Finding[] {
    const from = context.preset.promoteFrom;
    if (!from) return [];
    const problem = provenanceProblem(subject, pin.provenance, from);
    if (!problem) return [];
    return [
        {
            subject: pin.name,
            location: pin.fieldLocations?.provenance ?? pin.location,
            message: `${kind} ${pin.name} ${problem}; ${context.stack} takes pins promoted from ${from}: run \`pinstack promote ${from} ${context.stack} --${kind} ${pin.name} --reason "..."\``,
        },
    ];
}
