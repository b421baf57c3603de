import { badInput } from "../errors";
import type { StackConfig } from "../model";
import { presetFor } from "./catalog";
import type { StackPreset } from "./types";

/**
 * The preset a stack follows: `stacks/<environment>` with the stack's `pinstack:preset`
 * overrides applied (levels merged rule by rule) and `pinstack:cloud` over `cloud`.
 * Throws a bad-input PinstackError when the environment names no preset.
 */
export function effectivePreset(config: Pick<StackConfig, "environment" | "presetOverrides" | "cloud" | "stack">): StackPreset {
    const base = presetFor(config.environment);
    if (!base) throw badInput(`stack ${config.stack}: unknown environment '${config.environment}'`, { fix: "set pinstack:environment to playground, staging or production" });
    const overrides = config.presetOverrides as Partial<StackPreset>;
    return {
        ...base,
        ...overrides,
        cloud: config.cloud ?? overrides.cloud ?? base.cloud,
        levels: { ...base.levels, ...(overrides.levels ?? {}) },
    };
}
