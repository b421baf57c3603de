import type { ResourceValidationPolicy } from "@pulumi/policy";
import { reportImageFindings } from "./support/images";
import { schemeForMain, withContext, workloadToCheck } from "./support/policy";
import { applies, configSchema } from "./support/settings";

/** lib rule `digest-required`: where the preset pins digests (production), every container image has one. */
export const digestRequired: ResourceValidationPolicy = {
    name: "digest-required",
    description:
        "Where the stack pins digests (production), every image — init containers and sidecars too — carries `@sha256:<64 hex digits>` so a re-pushed tag cannot change what runs. " +
        "Promote with `pinstack promote`, which resolves the digest, or add it to the pin.",
    enforcementLevel: "mandatory",
    configSchema: configSchema(),
    validateResource: (args, report) => {
        const workload = workloadToCheck(args);
        if (!workload) return;
        withContext(args, report, (context) => {
            if (!applies(context, "digest-required")) return;
            reportImageFindings(workload, { rule: "digest-required", context, scheme: schemeForMain(workload) }, report);
        });
    },
};
