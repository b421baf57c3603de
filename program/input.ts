import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import { fileOnlyLocator, parseStackConfig, presetWithinFloor, readStackFile, secretEnvNames, stackFilePath, unexplainedSecretKeys } from "../lib/config";
import { errorText, PinstackError } from "../lib/errors";
import { checkReport, formatViolation } from "../lib/format";
import type { ServicePin, StackConfig, Violation } from "../lib/model";
import { evaluateStack, isRefused } from "../lib/rules";
import type { StackPreset } from "../lib/presets";
import { stackTrust } from "../lib/signing";

/**
 * The `pinstack:*` keys of the running stack's config as Pulumi hands them over: every
 * value is text (structured values as JSON), including `--config` overrides and values
 * set with `pulumi config set`, which a read of the file alone would miss.
 */
export function rawPinstackConfig(): Record<string, string> {
    return Object.fromEntries(Object.entries(pulumi.runtime.allConfig()).filter(([key]) => key.startsWith("pinstack:")));
}

/**
 * Validates the raw config with lib/config, locating each key in `Pulumi.<stack>.yaml`
 * (in the working directory, the project's, when Pulumi runs the program) so a fault is
 * named by file, line and key. Stops the program (RunError: the message alone, no stack
 * trace) with the text `pinstack check` prints for the same fault.
 */
export function parseOrStop(stack: string, raw: Readonly<Record<string, string>>): StackConfig {
    try {
        const file = stackFilePath(".", stack);
        const parsed = fs.existsSync(file) ? readStackFile(file) : undefined;
        const fileKeys = parsed?.secretKeys ?? [];
        return parseStackConfig(stack, file, raw, parsed?.locate ?? fileOnlyLocator(file), {
            coerceScalars: true,
            secretKeys: [...fileKeys, ...unexplainedSecretKeys(fileKeys, pulumiSecretKeys())],
        });
    } catch (err) {
        if (err instanceof PinstackError) throw stop(errorText(err));
        throw err;
    }
}

/**
 * The stack's preset, once its config is known not to loosen the stack's floor (lib/config's
 * presetWithinFloor: `policies/config.<stack>.json` of the project, the working directory, or
 * the stack's name). Stops the program otherwise, as `pinstack check` refuses the same file.
 */
export function presetOrStop(stack: StackConfig): StackPreset {
    try {
        return presetWithinFloor(".", stack);
    } catch (err) {
        if (err instanceof PinstackError) throw stop(errorText(err));
        throw err;
    }
}

/**
 * The top-level keys Pulumi hands over as secret (the language host's PULUMI_CONFIG_SECRET_KEYS):
 * a secret that did not come from the stack file must not pass as plain either.
 */
function pulumiSecretKeys(): string[] {
    try {
        const keys: unknown = JSON.parse(process.env.PULUMI_CONFIG_SECRET_KEYS ?? "[]");
        return Array.isArray(keys) ? keys.filter((key): key is string => typeof key === "string") : [];
    } catch {
        return [];
    }
}

/** The `env` entries of a service whose values come from a `secure:` value, the whole map or the entry (see ServiceRelease's secretEnv). */
export function secretEnvOf(stack: StackConfig, pin: ServicePin): string[] {
    return secretEnvNames(stack.secretKeys, pin.name, pin.env);
}

/**
 * Runs every rule (lib/rules, the same call as `pinstack check`). A mandatory violation
 * stops the program with check's report, before any resource exists; advisory ones are
 * shown as warnings and the update goes on.
 */
export function enforceRules(stack: StackConfig, preset: StackPreset): Violation[] {
    let violations: Violation[];
    try {
        // The recorded signatures against the stack's trusted keys, as `pinstack check` judges them (PEM paths are relative to the project).
        const trust = stackTrust(stack, preset, ".");
        violations = evaluateStack(stack, preset, trust ? { trust } : {});
    } catch (err) {
        if (err instanceof PinstackError) throw stop(errorText(err));
        throw err;
    }
    if (isRefused(violations)) throw stop(checkReport([{ config: stack, violations }]).trimEnd());
    for (const violation of violations) pulumi.log.warn(formatViolation(violation));
    return violations;
}

/**
 * The error that stops the program: a RunError, which Pulumi prints as its message alone. Its
 * stack is dropped: Pulumi shows none for a RunError anyway, but its handler still formats the
 * error with util.inspect for a trace span, and on a ts-node program with source maps that took
 * minutes per failed preview here (the whole failure path ran 2m50s, 24 s without the stack).
 */
export function stop(message: string): pulumi.RunError {
    const error = new pulumi.RunError(message);
    error.stack = undefined;
    return error;
}
