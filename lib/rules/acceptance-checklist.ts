import type { Finding, Rule, RuleContext } from "./types";

/** Rule `acceptance-checklist` (GWCelery): the release issue's checklist is complete. */
export const acceptanceChecklist: Rule = {
    id: "acceptance-checklist",
    description: "GWCelery's release acceptance checklist is complete before the release reaches the stack.",
    gate(context: RuleContext): Finding[] {
        const complete = context.gates.acceptanceComplete;
        if (complete === true) return [];
        if (complete === false) {
            return [{ message: `the release acceptance checklist is not complete; finish every item of the release issue on playground, then set acceptanceComplete: true` }];
        }
        if (context.strictGates) {
            return [{ message: `no acceptance checklist result was given for ${context.stack}; complete the release issue's checklist and pass acceptanceComplete: true` }];
        }
        return [];
    },
};
