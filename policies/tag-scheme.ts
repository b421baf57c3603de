import type { ResourceValidationPolicy } from "@pulumi/policy";
import { AnnotationKeys } from "../lib/contract";
import { reportImageFindings } from "./support/images";
import { entry, isUnknown } from "./support/known";
import { isSchemeName, withContext, workloadToCheck } from "./support/policy";
import { applies, configSchema } from "./support/settings";
import { describeWorkload } from "./support/workloads";

/**
 * lib rule `tag-scheme` on the workload's main container, with the scheme ServiceRelease writes
 * as the `pinstack.dev/scheme` annotation. A workload without the annotation fails closed: the
 * pack cannot tell which scheme its tag must follow, so it does not pass it.
 */
export const tagScheme: ResourceValidationPolicy = {
    name: "tag-scheme",
    description:
        `A workload declares its service's tag scheme in the ${AnnotationKeys.scheme} annotation (ServiceRelease writes it), the stack allows that scheme, and the main image's tag follows it ` +
        "(strict semver, calver YYYY.MM.N, commit hash, PEP 440). Deploy through ServiceRelease and tag the build in the service's scheme.",
    enforcementLevel: "mandatory",
    configSchema: configSchema(),
    validateResource: (args, report) => {
        const workload = workloadToCheck(args);
        if (!workload) return;
        withContext(args, report, (context) => {
            if (!applies(context, "tag-scheme")) return;
            const where = describeWorkload(workload);
            const allowed = context.preset.allowedSchemes.join(", ");
            const scheme = entry(workload.annotations, AnnotationKeys.scheme);
            if (isUnknown(scheme)) {
                report(`${where}: the ${AnnotationKeys.scheme} annotation cannot be known during preview, so its tag scheme cannot be checked; set it to a plain value`);
                return;
            }
            if (scheme === undefined) {
                report(`${where} has no ${AnnotationKeys.scheme} annotation, so its tags cannot be checked against its service's scheme; deploy it through ServiceRelease (which writes it) or annotate it with one of ${allowed}`);
                return;
            }
            if (!isSchemeName(scheme)) {
                report(`${where}: ${AnnotationKeys.scheme} is '${scheme}', which is not a tag scheme; use one of ${allowed}`);
                return;
            }
            reportImageFindings(workload, { rule: "tag-scheme", context, scheme: (c) => (c.main ? scheme : undefined) }, report);
        });
    },
};
