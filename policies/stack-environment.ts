import type { StackValidationPolicy } from "@pulumi/policy";
import { AnnotationKeys } from "../components/labels";
import { entry, isUnknown } from "./support/known";
import { withContext } from "./support/policy";
import { configSchema } from "./support/settings";
import { output, stackView } from "./support/stack";
import { describeWorkload } from "./support/workloads";

/**
 * The program ran with the preset the pack checks for. The pack applies its own preset either
 * way; this makes the mismatch itself visible — a production stack whose
 * `pinstack:environment` was switched to playground (so the program's own checks only warn),
 * or a pack config meant for another stack. Reads the program's `environment` output and the
 * `pinstack.dev/environment` annotation ServiceRelease writes; absent values are not a
 * finding (the other policies still apply the pack's preset).
 */
export const stackEnvironment: StackValidationPolicy = {
    name: "stack-environment",
    description:
        "The program runs with the preset the policy pack checks for (pinstack:environment matches the pack's preset). " +
        "Put pinstack:environment back, or pass the policy config of the stack being deployed.",
    enforcementLevel: "mandatory",
    configSchema: configSchema(),
    validateStack: (args, report) => {
        withContext(args, report, (context) => {
            const expected = context.preset.name;
            const view = stackView(args.resources);
            const environment = output(view, "environment");
            if (isUnknown(environment)) report(`the program's environment output cannot be known during preview; ${context.stack} expects ${expected}`);
            else if (typeof environment === "string" && environment !== expected) {
                report(`the program runs with pinstack:environment '${environment}', but this policy config is for ${expected}: set pinstack:environment: ${expected} in the stack's config, or use the policy config for ${environment}`);
            }
            for (const { urn, workload } of view.workloads) {
                const annotated = entry(workload.annotations, AnnotationKeys.environment);
                if (annotated === undefined || annotated === expected) continue;
                const shown = isUnknown(annotated) ? "unknown during preview" : `'${annotated}'`;
                report(`${describeWorkload(workload)}: ${AnnotationKeys.environment} is ${shown}, but this policy config is for ${expected}`, urn);
            }
        });
    },
};
