import type { ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import type { RuleId } from "../../lib/model";
import { Finding, rules } from "../../lib/rules";
import { withContext } from "./policy";
import { applies, GateConfig, gatesOf, PackContext, strictGatesProperty } from "./settings";
import { ruleContext } from "./stack";

/**
 * The runbook gates are gate rules of lib that read only the gates CI hands over (never the
 * resources), so the pack asks lib with the gates from its config. They run as resource
 * policies on the program's root `pulumi:pulumi:Stack` resource (see forType): once per
 * preview, with no resource read — as stack policies, the SDK would deserialize every resource
 * of the stack for each of them. Their findings are reported against the Stack resource.
 */
export function gateFindings(rule: RuleId, args: Pick<ResourceValidationArgs, "getConfig">, report: ReportViolation, use: (findings: Finding[], context: PackContext) => void): void {
    withContext<GateConfig>(args, report, (context, config) => {
        if (!applies(context, rule)) return;
        const findings = rules[rule].gate!(ruleContext(context, gatesOf(config), config.strictGates ?? false));
        use(findings, context);
    });
}

export const loadTestProperties: Record<string, PolicyConfigJSONSchema> = {
    loadTest: {
        type: "string",
        enum: ["abort", "skip", "warn"],
        default: "warn",
        description: "Merino's label from the commit being deployed, `[load test: abort|skip|warn]`; no label means warn.",
    },
    loadTestResult: {
        type: "string",
        enum: ["passed", "failed", "not-run"],
        default: "not-run",
        description: "Outcome of the load test against staging.",
    },
    strictGates: strictGatesProperty,
};
