import type { ResourceValidationPolicy } from "@pulumi/policy";
import { reportImageFindings } from "./support/images";
import { schemeForMain, withContext, workloadToCheck } from "./support/policy";
import { applies, configSchema } from "./support/settings";

/** lib rule `no-mutable-tags` on every container of every Kubernetes workload. */
export const noMutableTags: ResourceValidationPolicy = {
    name: "no-mutable-tags",
    description:
        "Images must name a fixed build: not `latest` (in any case or spacing), a branch name or no tag. " +
        "Pin a release tag such as 2023.06.1 or 1.4.2 (and its digest where the stack requires one) with `pinstack promote`.",
    enforcementLevel: "mandatory",
    configSchema: configSchema(),
    validateResource: (args, report) => {
        const workload = workloadToCheck(args);
        if (!workload) return;
        withContext(args, report, (context) => {
            if (!applies(context, "no-mutable-tags")) return;
            reportImageFindings(workload, { rule: "no-mutable-tags", context, scheme: schemeForMain(workload) }, report);
        });
    },
};
