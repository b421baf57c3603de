import type { ResourceValidationPolicy } from "@pulumi/policy";
import { rules } from "../lib/rules";
import { describeResource, requirementsOf } from "./support/packages";
import { forType, withContext } from "./support/policy";
import { applies, configSchema } from "./support/settings";
import { ruleContext } from "./support/stack";

/**
 * lib rule `exact-package-pins` on the package pins as they reach the cluster: the requirement
 * files of PackageRequirements' ConfigMap (the CodeArtifact PackageIndex itself holds
 * repositories, not versions). ConfigMaps only (not ConfigMapPatch), so the SDK skips every
 * other resource without reading it; no-prereleases reads patches too.
 */
export const exactPackagePins: ResourceValidationPolicy = {
    name: "exact-package-pins",
    description:
        "Package pins name one exact version (10.8.5), never a range (>=, ~=, ^, *, 1.2.x) or nothing. Write the version that was tested.",
    enforcementLevel: "mandatory",
    configSchema: configSchema(),
    validateResource: forType("kubernetes:core/v1:ConfigMap", (args, report) => {
        const requirements = requirementsOf(args.type, args.props);
        if (!requirements) return;
        withContext(args, report, (context) => {
            if (!applies(context, "exact-package-pins")) return;
            for (const where of requirements.unknown) {
                report(`${describeResource(args)}: ${where} cannot be known during preview, so its package pins cannot be checked; keep the pins in plain values`);
            }
            for (const file of requirements.files) {
                const findings = file.pins.flatMap((pin) => rules["exact-package-pins"].package!(pin, ruleContext(context)));
                for (const finding of findings) report(`${describeResource(args)}, ${file.file}: ${finding.message}`);
            }
        });
    }),
};
