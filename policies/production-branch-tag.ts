import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { Violation } from "../lib/model";
import { parseReference } from "../lib/reference";
import { ImageResult, rules } from "../lib/rules";
import { ImageQuery, reportImageFindings } from "./support/images";
import { schemeForMain, withContext, workloadToCheck } from "./support/policy";
import { applies, configSchema, GateConfig, gatesOf, PackContext, strictGatesProperty } from "./support/settings";
import { ruleContext } from "./support/stack";

/**
 * Fragalysis' "tags MUST be on the production branch", as a gate CI feeds the pack:
 * `productionBranchTags: { "<repository>": ["2023.05.1", ...] }`, the tags found on each
 * repository's production branch. lib rule `production-branch-tag` on every container image.
 * Repositories missing from the map pass unless `strictGates` is set (then they fail: CI at
 * deploy time must say which tags are on the production branch).
 */
export const productionBranchTag: ResourceValidationPolicy = {
    name: "production-branch-tag",
    description:
        "An image's tag must be one made on its repository's production branch (Fragalysis). " +
        "Tag a commit on the production branch and promote that tag; CI passes the branch's tags as productionBranchTags.",
    enforcementLevel: "mandatory",
    configSchema: configSchema({
        productionBranchTags: {
            type: "object",
            additionalProperties: { type: "array", items: { type: "string", minLength: 1 } },
            description: "Per image repository (as written, or fully qualified: docker.io/library/nginx), the tags on its production branch.",
        },
        strictGates: strictGatesProperty,
    }),
    validateResource: (args, report) => {
        const workload = workloadToCheck(args);
        if (!workload) return;
        withContext<GateConfig>(args, report, (context, config) => {
            if (!applies(context, "production-branch-tag")) return;
            const gates = gatesOf({ productionBranchTags: config.productionBranchTags });
            const evaluate = config.strictGates ? strictEvaluator(context, gates) : undefined;
            reportImageFindings(workload, { rule: "production-branch-tag", context, gates, evaluate, scheme: schemeForMain(workload) }, report);
        });
    },
};

/** evaluateImage runs gates leniently; with strictGates the rule is asked directly with a strict context. */
function strictEvaluator(context: PackContext, gates: ReturnType<typeof gatesOf>): (query: ImageQuery) => ImageResult {
    const ruleCtx = ruleContext(context, gates, true);
    return (query) => {
        const parsed = parseReference(query.reference);
        if (!parsed.ok) return { error: parsed.error, violations: [] };
        const findings = rules["production-branch-tag"].image!({ ref: parsed.ref, service: query.service, scheme: query.scheme }, ruleCtx);
        const violations: Violation[] = findings.map((f) => ({
            rule: "production-branch-tag",
            level: context.preset.levels["production-branch-tag"],
            message: f.message,
            stack: context.stack,
            subject: f.subject,
        }));
        return { ref: parsed.ref, violations };
    };
}
