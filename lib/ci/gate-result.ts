import { badInput } from "../errors";
import type { Gates } from "../model";

/**
 * A runbook gate's result as `pinstack ci release-branch|branch-tag|acceptance-checklist`
 * write it and `pinstack check --gates <file>` reads it: one module encodes and decodes the
 * file, so the production workflow hands results from one step to the next without a person
 * typing `--gate key=value`.
 */

export const GATE_NAMES = ["release-branch", "branch-tag", "acceptance-checklist"] as const;
export type GateName = (typeof GATE_NAMES)[number];

export interface GateResult {
    readonly gate: GateName;
    readonly outcome: "passed" | "failed";
    readonly message: string;
    /** What was read: repository, branch, tag, commit, issue... (strings only, shown to reviewers). */
    readonly source: Readonly<Record<string, string>>;
    /** The result as the rules take it (lib/model Gates); empty for a gate no rule reads. */
    readonly gates: Gates;
}

const KIND = "pinstack-gate-result";
const VERSION = 1;

/** The file's text: one JSON object. */
export function formatGateResult(result: GateResult): string {
    return `${JSON.stringify({ kind: KIND, version: VERSION, ...result }, null, 2)}\n`;
}

/** Reads formatGateResult's text; anything else is bad input naming the file and key. */
export function parseGateResult(text: string, file: string): GateResult {
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (err) {
        throw badInput(`${file}: not JSON (${(err as Error).message})`, { fix: "pass the file a `pinstack ci` gate command wrote with --output" });
    }
    const at = (key: string) => ({ file, line: 0, column: 0, key });
    if (!isObject(value)) throw badInput(`a gate result is a JSON object`, { location: at("") });
    if (value.kind !== KIND || value.version !== VERSION) {
        throw badInput(`not a pinstack gate result (kind ${JSON.stringify(value.kind)}, version ${JSON.stringify(value.version)})`, { location: at("kind") });
    }
    if (!GATE_NAMES.includes(value.gate as GateName)) throw badInput(`unknown gate ${JSON.stringify(value.gate)}; expected ${GATE_NAMES.join(", ")}`, { location: at("gate") });
    if (value.outcome !== "passed" && value.outcome !== "failed") throw badInput(`outcome must be passed or failed`, { location: at("outcome") });
    if (typeof value.message !== "string") throw badInput(`message must be a string`, { location: at("message") });
    if (!isObject(value.source) || !Object.values(value.source).every((v) => typeof v === "string")) throw badInput(`source must be an object of strings`, { location: at("source") });
    const gates = parseGates(value.gates, value.gate as GateName, value.outcome, (key, what) => badInput(what, { location: at(key) }));
    return { gate: value.gate as GateName, outcome: value.outcome, message: value.message, source: value.source as Record<string, string>, gates };
}

/**
 * Only the key each gate may set, and consistent with the outcome: a hand-edited file that
 * says "failed" but carries acceptanceComplete: true must not pass the rule.
 */
function parseGates(value: unknown, gate: GateName, outcome: "passed" | "failed", fail: (key: string, what: string) => Error): Gates {
    if (!isObject(value)) throw fail("gates", "gates must be an object");
    const keys = Object.keys(value);
    if (gate === "release-branch") {
        if (keys.length > 0) throw fail("gates", "release-branch sets no gate key");
        return {};
    }
    if (gate === "acceptance-checklist") {
        if (keys.length !== 1 || value.acceptanceComplete !== (outcome === "passed")) throw fail("gates.acceptanceComplete", `acceptance-checklist sets only acceptanceComplete, ${outcome === "passed"} for ${outcome}`);
        return { acceptanceComplete: outcome === "passed" };
    }
    const tags = value.productionBranchTags;
    if (keys.length !== 1 || !isObject(tags)) throw fail("gates.productionBranchTags", "branch-tag sets only productionBranchTags");
    const entries = Object.entries(tags);
    const ok = entries.length === 1 && Array.isArray(entries[0][1]) && entries[0][1].every((t) => typeof t === "string") && (outcome === "passed" ? entries[0][1].length === 1 : entries[0][1].length === 0);
    if (!ok) throw fail("gates.productionBranchTags", `branch-tag names one image with ${outcome === "passed" ? "its one tag" : "no tag"} for ${outcome}`);
    return { productionBranchTags: { [entries[0][0]]: [...(entries[0][1] as string[])] } };
}

/**
 * The gates several results give together. Tags for one image add up (several tags checked),
 * but a failed check of a tag wins over a pass of the same image: fail closed.
 */
export function mergeGateResults(results: readonly GateResult[]): Gates {
    let acceptanceComplete: boolean | undefined;
    const tags: Record<string, string[]> = {};
    const refused = new Set<string>();
    for (const result of results) {
        if (result.gates.acceptanceComplete !== undefined) acceptanceComplete = acceptanceComplete === false ? false : result.gates.acceptanceComplete;
        for (const [image, list] of Object.entries(result.gates.productionBranchTags ?? {})) {
            if (list.length === 0) refused.add(image);
            tags[image] = [...new Set([...(tags[image] ?? []), ...list])];
        }
    }
    for (const image of refused) tags[image] = [];
    return { ...(acceptanceComplete !== undefined ? { acceptanceComplete } : {}), ...(Object.keys(tags).length > 0 ? { productionBranchTags: tags } : {}) };
}

/**
 * Failed results of a gate no rule reads (the release branch): the caller refuses on them,
 * since the project ran that runbook step and it said no.
 */
export function unruledFailures(results: readonly GateResult[]): GateResult[] {
    return results.filter((r) => r.outcome === "failed" && r.gate === "release-branch");
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
