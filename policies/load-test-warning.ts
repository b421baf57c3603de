import type { ResourceValidationPolicy } from "@pulumi/policy";
import { gateFindings, loadTestProperties } from "./support/gates";
import { forType, isLowered, STACK_TYPE } from "./support/policy";
import { configSchema } from "./support/settings";

/**
 * The other half of load-test-gate: Merino's "warn: proceeds with the deployment even if the
 * load test fails, but sends a warning". lib lowers that finding to advisory; this policy,
 * advisory by default, shows it in the preview.
 */
export const loadTestWarning: ResourceValidationPolicy = {
    name: "load-test-warning",
    description:
        "Merino: under [load test: warn] (or no label) a failed load test does not stop the deployment but is reported. " +
        "Read the load test report before the next release.",
    enforcementLevel: "advisory",
    configSchema: configSchema(loadTestProperties),
    validateResource: forType(STACK_TYPE, (args, report) =>
        gateFindings("load-test-gate", args, report, (findings, context) => {
            const level = context.preset.levels["load-test-gate"];
            for (const finding of findings) if (isLowered(finding.level, level)) report(finding.message);
        }),
    ),
};
