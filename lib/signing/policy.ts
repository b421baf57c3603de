import type { Level, StackConfig } from "../model";
import type { StackPreset } from "../presets";
import { loadTrust, Trust } from "./keys";

/** How the stack's preset treats signatures: production requires them, staging advises. */
export function signatureLevel(preset: StackPreset): Level {
    return preset.levels["signed-images"] ?? "disabled";
}

/**
 * The stack's trust: its `pinstack:signing` keys, loaded, when it names any and its preset does
 * not disable the rule; undefined otherwise (signatures are then not judged: see docs/signing.md).
 */
export function stackTrust(config: StackConfig, preset: StackPreset, dir: string): Trust | undefined {
    if (!config.signing || signatureLevel(preset) === "disabled") return undefined;
    return loadTrust(config.signing, dir, `${config.file}: pinstack:signing`);
}
