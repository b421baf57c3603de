import type { PolicyConfigSchema } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import type { Gates, RuleId } from "../../lib/model";
import { effectivePreset, StackPreset, usePresets } from "../../lib/presets";
import { presets } from "../../stacks";

/**
 * What every policy's config carries (policies/config.<stack>.json): the preset whose rules
 * apply, so the pack — which cannot read the stack's own config — knows that production pins
 * digests and staging takes release candidates. The preset comes from the pack's config,
 * which CI chooses, never from the stack file under review: lowering a rule with
 * `pinstack:preset` or switching `pinstack:environment` in Pulumi.<stack>.yaml is refused by
 * the program and the CLI (lib/config's floor), and would not change what the pack checks.
 */
export interface BaseConfig {
    readonly preset?: string;
    /** Stack name in messages; the preset's name when absent. */
    readonly stack?: string;
    /**
     * The stack pins must be promoted from, when it is not the preset's (Merino promotes
     * `stage` to `prod`). Set here, in the config CI picks, like `registries`: the stack file
     * under review cannot change where the pack expects pins to come from.
     */
    readonly promoteFrom?: string;
}

// The pack is an entry point: its policies judge by the project's presets.
usePresets(presets);

export const presetNames = Object.keys(presets);

const baseProperties: Record<string, PolicyConfigJSONSchema> = {
    preset: {
        type: "string",
        enum: presetNames,
        description: "Preset (stacks/<name>.ts) whose rules apply to the stack being checked: playground, staging or production.",
    },
    stack: { type: "string", minLength: 1, description: "Stack name used in messages; defaults to the preset name." },
    promoteFrom: { type: "string", minLength: 1, description: "Stack the pins are promoted from, when not the preset's (e.g. stage)." },
};

/** A policy's configSchema: `preset` (required) and `stack`, plus the policy's own properties. */
export function configSchema(own: Record<string, PolicyConfigJSONSchema> = {}, required: readonly string[] = []): PolicyConfigSchema {
    return { properties: { ...baseProperties, ...own }, required: ["preset", ...required] };
}

/** The stack a policy checks, as the pack's config describes it. */
export interface PackContext {
    readonly preset: StackPreset;
    readonly stack: string;
    /** Identifies preset + overrides, for caches. */
    readonly key: string;
}

/** Why the pack's config cannot be used; the policy reports it instead of guessing (fail closed). */
export class PackConfigError extends Error {}

const contexts = new Map<string, PackContext>();

/**
 * The preset a policy's config names, with the pack-side overrides (`registries`, `promoteFrom`) applied
 * through lib's effectivePreset, so the pack and `pinstack check` read presets the same way.
 * Throws PackConfigError when no preset is named: the CLI refuses such a config against the
 * configSchema; this guards direct use.
 */
export function packContext(config: BaseConfig & { readonly registries?: readonly string[] }): PackContext {
    const key = JSON.stringify([config.preset, config.stack, config.registries, config.promoteFrom]);
    const known = contexts.get(key);
    if (known) return known;
    if (typeof config.preset !== "string" || !presetNames.includes(config.preset)) {
        throw new PackConfigError(
            `the policy pack's config names no known preset (${JSON.stringify(config.preset ?? null)}); pass --policy-pack-config policies/config.<stack>.json, which sets preset: ${presetNames.join(" | ")}`,
        );
    }
    const stack = config.stack ?? config.preset;
    const presetOverrides = {
        ...(config.registries ? { registries: [...config.registries] } : {}),
        ...(config.promoteFrom ? { promoteFrom: config.promoteFrom } : {}),
    };
    const context: PackContext = { preset: effectivePreset({ stack, environment: config.preset, presetOverrides }), stack, key };
    contexts.set(key, context);
    return context;
}

/** False when the preset switches the rule off for this stack (provenance on staging, for one). */
export function applies(context: PackContext, rule: RuleId): boolean {
    return (context.preset.levels[rule] ?? "disabled") !== "disabled";
}

/** Config of the runbook gates, as CI hands them to the pack. */
export interface GateConfig {
    readonly loadTest?: "abort" | "skip" | "warn";
    readonly loadTestResult?: "passed" | "failed" | "not-run";
    readonly acceptanceComplete?: boolean;
    readonly productionBranchTags?: Readonly<Record<string, readonly string[]>>;
    /** Missing gate results count as failures (set by CI at deploy time). */
    readonly strictGates?: boolean;
}

/** The lib Gates of a gate config. */
export function gatesOf(config: GateConfig): Gates {
    return {
        ...(config.loadTest ? { loadTest: config.loadTest } : {}),
        ...(config.loadTestResult && config.loadTestResult !== "not-run" ? { loadTestPassed: config.loadTestResult === "passed" } : {}),
        ...(config.acceptanceComplete !== undefined ? { acceptanceComplete: config.acceptanceComplete } : {}),
        ...(config.productionBranchTags ? { productionBranchTags: config.productionBranchTags } : {}),
    };
}

export const strictGatesProperty: PolicyConfigJSONSchema = {
    type: "boolean",
    default: false,
    description: "Count a missing gate result as a failure. CI sets it when deploying; a pull-request preview leaves it false.",
};
