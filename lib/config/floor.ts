import * as fs from "fs";
import * as path from "path";
import { parsePolicyConfig } from "../ci/policy-config";
import { badInput, formatLocation, PinstackError, refused } from "../errors";
import type { Level, RuleId, SourceLocation, StackConfig } from "../model";
import { effectivePreset, ENVIRONMENT_ORDER, FloorProblem, floorProblems, presetFor, presetNames, StackFloor, StackPreset } from "../presets";
import { readStackFile } from "./file";
import { fileOnlyLocator, Locator } from "./locate";

/**
 * Where a stack's floor comes from, never its own file: `policies/config.<stack>.json` when
 * the project has one (the pack config CI passes to `pulumi preview --policy-pack-config`,
 * reviewed with the pack: its `preset`, its policies' enforcement levels and
 * registry-allowed's `registries`), else the stack's name when it is a preset's
 * (a stack named production is production). A stack with neither is held to the strictest
 * preset's floor (fail closed): its file is never what says how loose it may be.
 */
export function readFloor(dir: string, stack: string): StackFloor {
    const absolute = path.resolve(dir, "policies", `config.${stack}.json`);
    const file = path.relative(process.cwd(), absolute) || absolute;
    let text: string | undefined;
    try {
        text = fs.readFileSync(absolute, "utf8");
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") {
            throw badInput(`${file}: cannot read the policy pack config (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
        }
    }
    if (text !== undefined) return floorOfPackConfig(stack, file, parsePolicyConfig(text, file));
    const preset = presetFor(stack);
    if (preset) return { stack, source: STACK_NAME, environment: stack, preset };
    const strictest = ENVIRONMENT_ORDER[ENVIRONMENT_ORDER.length - 1];
    return { stack, source: `${strictest}'s, the strictest: the name is not a preset's and there is no ${file}`, environment: strictest, preset: presetFor(strictest) as StackPreset, unmapped: file };
}

type Json = Record<string, unknown>;

/** The floor source of a stack named after its environment. */
const STACK_NAME = "the stack's name";

const PACK_LEVELS: Readonly<Record<string, Level>> = { disabled: "disabled", advisory: "advisory", mandatory: "mandatory", remediate: "mandatory" };

/** The floor a pack config sets: its one preset, raised or lowered rule by rule to its enforcement levels, with its registries. */
function floorOfPackConfig(stack: string, file: string, config: Json): StackFloor {
    const named = new Set(Object.values(config).filter(isObject).map((policy) => policy.preset).filter((p) => p !== undefined));
    const [environment] = [...named];
    if (named.size !== 1 || typeof environment !== "string" || !presetFor(environment)) {
        throw badInput(`${file}: the policy pack config must name one preset for stack ${stack}; it names ${named.size === 0 ? "none" : [...named].map((p) => JSON.stringify(p)).join(", ")}`, {
            fix: `set "preset" to one of ${presetNames().join(", ")} in every policy's entry`,
        });
    }
    const base = presetFor(environment) as StackPreset;
    const levels: Record<RuleId, Level> = { ...base.levels };
    for (const rule of Object.keys(base.levels) as RuleId[]) {
        const entry = config[rule];
        if (!isObject(entry) || entry.enforcementLevel === undefined) continue;
        const level = PACK_LEVELS[String(entry.enforcementLevel)];
        if (!level) throw badInput(`${file}: ${rule}.enforcementLevel: unknown level ${JSON.stringify(entry.enforcementLevel)}`, { fix: "use advisory, mandatory, remediate or disabled" });
        levels[rule] = level;
    }
    const allowList = isObject(config["registry-allowed"]) ? config["registry-allowed"].registries : undefined;
    if (allowList !== undefined && !(Array.isArray(allowList) && allowList.every((r) => typeof r === "string" && r !== ""))) {
        throw badInput(`${file}: registry-allowed.registries must be a list of registries`, { fix: 'e.g. "registries": ["ghcr.io/example"]' });
    }
    const registries = (allowList as string[] | undefined) ?? base.registries;
    return { stack, source: file, environment, preset: { ...base, levels, registries } };
}

/** The problems of `config` against `floor`, each with where its key is written. */
export function locatedFloorProblems(config: StackConfig, floor: StackFloor, effective: StackPreset = effectivePreset(config)): (FloorProblem & { location: SourceLocation })[] {
    const problems = floorProblems(floor, config.environment, effective);
    if (problems.length === 0) return [];
    // Only a refusal needs lines: the file is read again then, not on every clean run.
    const locate = locatorOf(config.file);
    return problems.map((problem) => ({ ...problem, location: locate(problem.key) }));
}

/**
 * The stack's effective preset, once its file is known not to loosen its floor. Refused
 * (exit 1) otherwise: the file is valid, but a rule — the floor — refuses what it asks for,
 * as the policy pack would; exit 2 is for a file that cannot be read as a stack at all.
 */
export function presetWithinFloor(dir: string, config: StackConfig): StackPreset {
    const effective = effectivePreset(config);
    const refusal = floorRefusal(config, readFloor(dir, config.stack), effective);
    if (refusal) throw refusal;
    return effective;
}

/** The refusal for a stack file below its floor; undefined when it is not. */
export function floorRefusal(config: StackConfig, floor: StackFloor, effective: StackPreset = effectivePreset(config)): PinstackError | undefined {
    const [first, ...rest] = locatedFloorProblems(config, floor, effective);
    if (!first) return undefined;
    const more = rest.map((p) => `    - ${formatLocation(p.location)}: ${p.message}`);
    return refused(first.message, {
        why: [`a stack file may only tighten what its floor (${floor.source}) sets`, ...(more.length ? [`${more.length} more:`, ...more] : [])].join("\n"),
        fix: floor.unmapped
            ? `add ${floor.unmapped}, the policy pack config for ${floor.stack}, with "preset": ${presetNames().join(" | ")}; or tighten these keys`
            : floor.source === STACK_NAME
              ? `remove these keys or tighten them; a looser stack needs another name and a policies/config.<stack>.json that says what it is`
              : `remove these keys or tighten them; the floor itself is changed in ${floor.source}, reviewed with the policy pack`,
        location: first.location,
    });
}

function locatorOf(file: string): Locator {
    try {
        return readStackFile(file).locate;
    } catch {
        return fileOnlyLocator(file);
    }
}

function isObject(value: unknown): value is Json {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
