import type { ResourceValidationPolicy } from "@pulumi/policy";
import { AnnotationKeys } from "../lib/contract";
import { entry, isUnknown } from "./support/known";
import { forType, withContext } from "./support/policy";
import { configSchema } from "./support/settings";
import { describeWorkload, workloadOf } from "./support/workloads";

/**
 * The program ran with the preset the pack checks for. The pack applies its own preset either
 * way; this makes the mismatch itself visible — a production stack whose
 * `pinstack:environment` was switched to playground (which the program refuses too, against
 * the stack's floor), or CI passing the policy config of another stack. Reads the `pinstack.dev/environment`
 * annotation ServiceRelease writes on every Deployment (Deployments only, so the SDK skips
 * every other resource unread); a Deployment without it is not a finding — the other policies
 * apply the pack's preset to it anyway.
 */
export const stackEnvironment: ResourceValidationPolicy = {
    name: "stack-environment",
    description:
        "The program runs with the preset the policy pack checks for (pinstack:environment matches the pack's preset). " +
        "Put pinstack:environment back, or pass the policy config of the stack being deployed.",
    enforcementLevel: "mandatory",
    configSchema: configSchema(),
    validateResource: forType("kubernetes:apps/v1:Deployment", (args, report) => {
        withContext(args, report, (context) => {
            const deployment = workloadOf(args.type, args.props, args.name);
            if (!deployment) return;
            const expected = context.preset.name;
            const annotated = entry(deployment.annotations, AnnotationKeys.environment);
            if (annotated === undefined || annotated === expected) return;
            if (isUnknown(annotated)) {
                report(`${describeWorkload(deployment)}: ${AnnotationKeys.environment} cannot be known during preview; this policy config is for ${expected}`);
                return;
            }
            report(`${describeWorkload(deployment)} was made with pinstack:environment '${annotated}', but this policy config is for ${expected}: set pinstack:environment: ${expected} in the stack's config, or use the policy config for ${annotated}`);
        });
    }),
};
