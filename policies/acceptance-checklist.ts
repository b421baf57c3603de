import type { ResourceValidationPolicy } from "@pulumi/policy";
import { gateFindings } from "./support/gates";
import { forType, STACK_TYPE } from "./support/policy";
import { configSchema, strictGatesProperty } from "./support/settings";

/** GWCelery's release acceptance checklist as a gate (lib rule `acceptance-checklist`), its result given by CI. */
export const acceptanceChecklist: ResourceValidationPolicy = {
    name: "acceptance-checklist",
    description:
        "GWCelery: the release issue's acceptance checklist is complete before the release reaches the stack. " +
        "Finish every item on playground, then pass acceptanceComplete: true.",
    enforcementLevel: "mandatory",
    configSchema: configSchema({
        acceptanceComplete: { type: "boolean", description: "Every item of the release acceptance checklist is ticked." },
        strictGates: strictGatesProperty,
    }),
    validateResource: forType(STACK_TYPE, (args, report) =>
        gateFindings("acceptance-checklist", args, report, (findings) => {
            for (const finding of findings) report(finding.message);
        }),
    ),
};
