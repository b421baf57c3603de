import type { ResourceValidationPolicy } from "@pulumi/policy";
import { gateFindings, loadTestProperties } from "./support/gates";
import { forType, isLowered, STACK_TYPE } from "./support/policy";
import { configSchema } from "./support/settings";

/**
 * Merino's load-test label as a gate (lib rule `load-test-gate`): with `[load test: abort]` a
 * failed load test stops the deployment. The warning a failed test gives under `warn` (or no
 * label) is lib's advisory finding; a mandatory policy cannot warn, so load-test-warning
 * reports it and this policy reports only what refuses.
 */
export const loadTestGate: ResourceValidationPolicy = {
    name: "load-test-gate",
    description:
        "Merino: when the deployed commit says [load test: abort], a failed load test against staging stops the deployment. " +
        "Fix the regression and rerun the load test, or relabel the commit [load test: warn] after review.",
    enforcementLevel: "mandatory",
    configSchema: configSchema(loadTestProperties),
    validateResource: forType(STACK_TYPE, (args, report) =>
        gateFindings("load-test-gate", args, report, (findings, context) => {
            const level = context.preset.levels["load-test-gate"];
            for (const finding of findings) if (!isLowered(finding.level, level)) report(finding.message);
        }),
    ),
};
