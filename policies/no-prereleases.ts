import type { ResourceValidationPolicy } from "@pulumi/policy";
import { rules } from "../lib/rules";
import { reportImageFindings } from "./support/images";
import { describeResource, requirementsOf } from "./support/packages";
import { schemeForMain, withContext, workloadToCheck } from "./support/policy";
import { applies, configSchema } from "./support/settings";
import { ruleContext } from "./support/stack";

/**
 * lib rule `no-prereleases`: on every container image of Kubernetes workloads (the main
 * container judged by its service's scheme) and on the package pins of requirement
 * ConfigMaps.
 */
export const noPrereleases: ResourceValidationPolicy = {
    name: "no-prereleases",
    description:
        "Where the stack takes final releases only (production), no image tag or package pin is a release candidate, prerelease or carries build metadata (1.4.2-rc.1, 10.8.5rc1, 1.2.3+build). " +
        "Release the final version and promote that.",
    enforcementLevel: "mandatory",
    configSchema: configSchema(),
    validateResource: (args, report) => {
        const requirements = requirementsOf(args.type, args.props);
        const workload = requirements ? undefined : workloadToCheck(args);
        if (!requirements && !workload) return;
        withContext(args, report, (context) => {
            if (!applies(context, "no-prereleases")) return;
            if (workload) {
                reportImageFindings(workload, { rule: "no-prereleases", context, scheme: schemeForMain(workload) }, report);
                return;
            }
            for (const where of requirements!.unknown) {
                report(`${describeResource(args)}: ${where} cannot be known during preview, so its package pins cannot be checked for prereleases; keep the pins in plain values`);
            }
            for (const file of requirements!.files) {
                const findings = file.pins.flatMap((pin) => rules["no-prereleases"].package!(pin, ruleContext(context)));
                for (const finding of findings) report(`${describeResource(args)}, ${file.file}: ${finding.message}`);
            }
        });
    },
};
