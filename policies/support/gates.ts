import type { StackValidationArgs, ReportViolation } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import type { RuleId } from "../../lib/model";
import { Finding, rules } from "../../lib/rules";
import { withContext } from "./policy";
import { applies, GateConfig, gatesOf, PackContext, strictGatesProperty } from "./settings";
import { ruleContext, syntheticStack } from "./stack";

/**
 * The runbook gates are stack rules of lib that read only the gates CI hands over (never the
 * resources), so the pack asks lib with the gates from its config.
 */
export function gateFindings(rule: RuleId, args: StackValidationArgs, report: ReportViolation, use: (findings: Finding[], context: PackContext) => void): void {
    withContext<GateConfig>(args, report, (context, config) => {
        if (!applies(context, rule)) return;
        const findings = rules[rule].stack!(syntheticStack(context), ruleContext(context, gatesOf(config), config.strictGates ?? false), {});
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
