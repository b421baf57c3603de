import type { Level, RuleId } from "../model";
import type { StackPreset } from "./types";

/**
 * A stack's floor: the least its own file may ask for. The stack file is the file under
 * review, so it must not be what decides how strictly it is reviewed: switching
 * `pinstack:environment` to playground, or lowering `pinstack:preset.levels` or
 * `requireDigest`, would otherwise turn off the very rules that should catch the change.
 * The floor comes from outside the file — the stack's name, or the policy pack's config for
 * the stack, which CI picks — and the file may only tighten it.
 */
export interface StackFloor {
    readonly stack: string;
    /** What decided the floor, for messages: `policies/config.<stack>.json`, or the stack's name. */
    readonly source: string;
    /** The environment (preset name) the stack is at least. */
    readonly environment: string;
    /** The settings the stack may only tighten: the environment's preset, with the pack config's levels and registries. */
    readonly preset: StackPreset;
    /** The pack config that would set the floor, when there is none and the strictest preset stands in for it. */
    readonly unmapped?: string;
}

/** One setting of a stack file below its floor. */
export interface FloorProblem {
    /** The dotted config key that loosens the floor, e.g. `pinstack:preset.levels.provenance`. */
    readonly key: string;
    /** The value the stack ends up with, as written. */
    readonly value: string;
    /** The least the floor allows. */
    readonly floor: string;
    readonly message: string;
}

/** Environments from the least to the most strict. */
export const ENVIRONMENT_ORDER = ["playground", "staging", "production"] as const;

const LEVEL_ORDER: readonly Level[] = ["disabled", "advisory", "mandatory"];

/**
 * The runbook gates: each is one project's release step (Merino's load test, GWCelery's
 * acceptance checklist, Fragalysis' production-branch tags), and a project without that step
 * switches it off in its own stack file. Lowering one loosens nothing the project had; the
 * pack still applies them at the level its own config gives.
 */
export const OPTIONAL_GATES: readonly RuleId[] = ["load-test-gate", "acceptance-checklist", "production-branch-tag"];

/**
 * Every way `effective` (the stack's preset after its own file) is looser than `floor`. Soak
 * time, `promoteFrom`, replicas, cloud, retention and timeouts are the stack's own business
 * and free. An environment below the floor is the only problem reported then: every other
 * setting follows from it.
 */
export function floorProblems(floor: StackFloor, environment: string, effective: StackPreset): FloorProblem[] {
    const base = floor.preset;
    const below = (key: string, label: string, value: unknown, least: unknown, note = ""): FloorProblem => ({
        key,
        value: show(value),
        floor: show(least),
        message: `${label} is below stack ${floor.stack}'s floor: the file sets ${show(value)}, the floor is ${show(least)}${note}`,
    });
    if (environmentRank(environment) < environmentRank(floor.environment)) {
        return [below("pinstack:environment", "the environment", environment, floor.environment)];
    }
    const problems: FloorProblem[] = [];
    const setting = (name: string, value: unknown, least: unknown, label = name, note = "") => problems.push(below(`pinstack:preset.${name}`, label, value, least, note));

    for (const [rule, least] of Object.entries(base.levels) as [RuleId, Level][]) {
        if (OPTIONAL_GATES.includes(rule)) continue;
        const level = effective.levels[rule] ?? "disabled";
        if (levelRank(level) < levelRank(least)) setting(`levels.${rule}`, level, least, `rule ${rule}`);
    }
    if (base.requireDigest && !effective.requireDigest) setting("requireDigest", false, true);
    if (!base.allowMutableTags && effective.allowMutableTags) setting("allowMutableTags", true, false);
    if (!base.allowPrereleases && effective.allowPrereleases) setting("allowPrereleases", true, false);
    if (base.immutableRepositories && !effective.immutableRepositories) setting("immutableRepositories", false, true);
    const extraSchemes = effective.allowedSchemes.filter((scheme) => !base.allowedSchemes.includes(scheme));
    if (extraSchemes.length > 0) setting("allowedSchemes", effective.allowedSchemes, base.allowedSchemes, "allowedSchemes", ` (${extraSchemes.join(", ")} added)`);
    const registries = registryProblem(base.registries, environment, effective.registries);
    if (registries) setting("registries", effective.registries, registries.least, "registries", registries.note);
    return problems;
}

/**
 * The stack's registries must be within the floor's: each entry the same as, or under, one
 * of the floor's. Empty allows any, so it is below any non-empty floor; and production has
 * no "any": an image from anyone's registry is the thing a production pin must not be.
 */
function registryProblem(least: readonly string[], environment: string, registries: readonly string[]): { least: unknown; note: string } | undefined {
    if (registries.length === 0) {
        if (least.length > 0) return { least, note: " (an empty list allows any registry)" };
        if (environment === "production") return { least: "a non-empty list", note: " (an empty list allows any registry, and production allows no such thing)" };
        return undefined;
    }
    if (least.length === 0) return undefined;
    const outside = registries.filter((entry) => !least.some((allowed) => registryWithin(entry, allowed)));
    return outside.length > 0 ? { least, note: ` (${outside.join(", ")} not within it)` } : undefined;
}

/** Whether allow-list entry `entry` allows nothing that `allowed` does not (lib/rules' registryAllowed matches by the same prefixes). */
export function registryWithin(entry: string, allowed: string): boolean {
    const e = normalise(entry);
    const a = normalise(allowed);
    return e === a || e.startsWith(`${a}/`);
}

function normalise(entry: string): string {
    return entry.toLowerCase().replace(/\/+$/, "");
}

export function environmentRank(environment: string): number {
    return (ENVIRONMENT_ORDER as readonly string[]).indexOf(environment);
}

function levelRank(level: Level): number {
    return LEVEL_ORDER.indexOf(level);
}

function show(value: unknown): string {
    return Array.isArray(value) ? `[${value.join(", ")}]` : String(value);
}
