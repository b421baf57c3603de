import type { ResourceValidationPolicy } from "@pulumi/policy";
import { checkRepository } from "../lib/rules";
import { field, isUnknown, path } from "./support/known";
import { forType, withContext } from "./support/policy";
import { applies, configSchema } from "./support/settings";

const ECR_REPOSITORY = "aws:ecr/repository:Repository";

/**
 * lib rule `immutable-repositories` (checkRepository) on `aws:ecr/repository:Repository`:
 * where the preset wants it (staging, production), `imageTagMutability: IMMUTABLE` and
 * `imageScanningConfiguration.scanOnPush: true`. ECR's default when the input is left out is
 * MUTABLE, and lib reads a missing value that way.
 */
export const immutableRepositories: ResourceValidationPolicy = {
    name: "immutable-repositories",
    description:
        "ECR repositories of staging and production refuse overwriting a tag (imageTagMutability: IMMUTABLE) and scan every pushed image (imageScanningConfiguration.scanOnPush: true). " +
        "Create them through ImageRepository, which sets both.",
    enforcementLevel: "mandatory",
    configSchema: configSchema(),
    validateResource: forType(ECR_REPOSITORY, (args, report) => {
        withContext(args, report, (context) => {
            if (!applies(context, "immutable-repositories")) return;
            const name = field(args.props, "name");
            const repository = typeof name === "string" ? name : args.name;
            const mutability = field(args.props, "imageTagMutability");
            const scanOnPush = path(args.props, ["imageScanningConfiguration", "scanOnPush"]);
            if (isUnknown(mutability) || isUnknown(scanOnPush)) {
                // Only while the preset requires immutable repositories does the value matter.
                if (context.preset.immutableRepositories) {
                    report(`repository ${repository}: imageTagMutability or scanOnPush cannot be known during preview, so ${context.stack} cannot check it; set both as plain values`);
                }
                return;
            }
            const findings = checkRepository(
                {
                    name: repository,
                    imageTagMutability: typeof mutability === "string" ? mutability : undefined,
                    scanOnPush: typeof scanOnPush === "boolean" ? scanOnPush : undefined,
                },
                context,
            );
            for (const finding of findings) report(finding.message);
        });
    }),
};
