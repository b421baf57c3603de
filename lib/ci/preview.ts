import { badInput } from "../errors";

/**
 * Reads what `pulumi preview --json` writes, in either of its two forms:
 *
 * - the digest (default): one JSON object `{config, steps, diagnostics, duration,
 *   changeSummary}` (pkg/display.PreviewDigest). It carries no policy events;
 * - the event stream (`PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true`): one engine event per
 *   line (sdk apitype.EngineEvent) — resourcePreEvent, diagnosticEvent, policyEvent,
 *   summaryEvent, ... CI uses this form because it is the only one with policy results.
 *
 * Only the shape the comment needs is kept: per resource the operation, type, name and
 * changed keys. Property values are not kept at all, so no value (secret or not) can
 * reach the comment from the preview's resource states.
 */

/** The operation shown for a resource, after folding the steps of a replacement into one. */
export type ResourceOp = "replace" | "delete" | "create" | "update" | "import" | "read" | "refresh" | "discard" | "same" | "other";

export interface ChangedKey {
    /** Property path as Pulumi writes it: `spec.template.spec.containers[0].image`. */
    readonly path: string;
    /** add, delete, update (from the detailed diff), when known. */
    readonly kind?: string;
    /** The change of this key forces a replacement. */
    readonly replace: boolean;
    /** The key holds a secret in the old or new state (its value is `[secret]`). */
    readonly secret: boolean;
}

export interface ResourceChange {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly op: ResourceOp;
    /** The raw step ops seen for this URN, in order (`create-replacement`, `replace`, ...). */
    readonly steps: readonly string[];
    readonly keys: readonly ChangedKey[];
}

export interface PreviewDiagnostic {
    readonly severity: string;
    readonly urn?: string;
    readonly message: string;
}

export interface PolicyFinding {
    /** advisory, mandatory, remediate (Pulumi's enforcement level). */
    readonly level: string;
    readonly policy: string;
    readonly pack: string;
    readonly urn?: string;
    readonly message: string;
}

export interface PolicyResults {
    /**
     * true: the preview's events show policy packs ran; false: the events show none ran;
     * undefined: the input cannot say (the digest form has no policy events).
     */
    readonly ran: boolean | undefined;
    /** Policy packs that ran, `name@version`. */
    readonly packs: readonly string[];
    readonly findings: readonly PolicyFinding[];
}

export interface PreviewResult {
    readonly format: "digest" | "events";
    /** Every resource with a step, `same` included, in preview order. */
    readonly resources: readonly ResourceChange[];
    readonly diagnostics: readonly PreviewDiagnostic[];
    readonly policies: PolicyResults;
    /** Count per operation, as Pulumi reports it (`create`, `update`, `same`, ...). */
    readonly changeSummary: Readonly<Record<string, number>>;
    /** The config the preview ran with (Pulumi blinds secrets as `[secret]`), for redaction. */
    readonly config: Readonly<Record<string, string>>;
}

/** Parses preview JSON text; `file` names the input in error messages. Throws bad input (exit 2). */
export function parsePreview(text: string, file: string): PreviewResult {
    if (text.trim() === "") {
        throw badInput(`${file}: the preview output is empty`, {
            why: "pulumi preview --json wrote nothing (it may have failed before it started)",
            fix: "check the preview step's log; the file must hold the output of `pulumi preview --json`",
        });
    }
    let whole: unknown;
    let wholeError: unknown;
    try {
        whole = JSON.parse(text);
    } catch (err) {
        wholeError = err;
    }
    if (whole !== undefined) {
        if (!isObject(whole)) throw notPreview(file, 1, "the JSON is not an object");
        if (isEngineEvent(whole)) return fromEvents([whole], file);
        return fromDigest(whole, file);
    }
    // Not one JSON document: an event stream, one JSON object per line.
    const events: Record<string, unknown>[] = [];
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i].trim();
        if (line === "") continue;
        let event: unknown;
        try {
            event = JSON.parse(line);
        } catch (err) {
            // Nothing parsed yet: the input was meant as one (pretty-printed) document, so
            // report that document's error; later, the stream's line is at fault.
            if (events.length === 0) throw notPreview(file, jsonErrorLine(text, wholeError), `malformed JSON (${errorText(wholeError)})`);
            throw notPreview(file, i + 1, `malformed JSON on this line (${errorText(err)})`);
        }
        if (!isObject(event) || !isEngineEvent(event)) throw notPreview(file, i + 1, "the line is not a Pulumi engine event");
        events.push(event);
    }
    return fromEvents(events, file);
}

function notPreview(file: string, line: number, what: string) {
    return badInput(`${what}`, {
        why: "expected the output of `pulumi preview --json`: one digest object, or one engine event per line",
        fix: "pass the file written by `pulumi preview --json` (stdout only, not mixed with stderr)",
        location: { file, line, column: 0, key: "" },
    });
}

function errorText(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
}

/** Line of a JSON.parse error, when the message says where (`at position N`). */
function jsonErrorLine(text: string, err: unknown): number {
    const match = err instanceof Error ? /position (\d+)/.exec(err.message) : null;
    if (!match) return 1;
    return text.slice(0, Number(match[1])).split("\n").length;
}

const EVENT_KEYS = [
    "resourcePreEvent",
    "resOutputsEvent",
    "resOpFailedEvent",
    "diagnosticEvent",
    "policyEvent",
    "policyRemediationEvent",
    "policyLoadEvent",
    "policyAnalyzeSummaryEvent",
    "policyRemediateSummaryEvent",
    "policyAnalyzeStackSummaryEvent",
    "summaryEvent",
    "preludeEvent",
    "stdoutEvent",
    "cancelEvent",
    "startDebuggingEvent",
    "progressEvent",
    "errorEvent",
];

function isEngineEvent(value: Record<string, unknown>): boolean {
    return typeof value.sequence === "number" || EVENT_KEYS.some((key) => key in value);
}

function fromDigest(digest: Record<string, unknown>, file: string): PreviewResult {
    const steps = digest.steps ?? [];
    if (!Array.isArray(steps)) throw notPreview(file, 1, "`steps` is not a list");
    const collector = new ResourceCollector();
    steps.forEach((step, i) => {
        if (!isObject(step) || typeof step.urn !== "string" || typeof step.op !== "string") {
            throw notPreview(file, 1, `steps[${i}] has no urn or op`);
        }
        collector.add({
            urn: step.urn,
            op: step.op,
            type: stringField(step.newState, "type") ?? stringField(step.oldState, "type"),
            detailedDiff: step.detailedDiff,
            diffs: step.diffReasons,
            replaceKeys: step.replaceReasons,
            states: [step.oldState, step.newState],
        });
    });
    const diagnostics = Array.isArray(digest.diagnostics)
        ? digest.diagnostics.filter(isObject).map((d) => ({
              severity: String(d.severity ?? "info"),
              urn: typeof d.urn === "string" && d.urn !== "" ? d.urn : undefined,
              message: stripColors(String(d.prefix ?? "") + String(d.message ?? "")),
          }))
        : [];
    return {
        format: "digest",
        resources: collector.resources(),
        diagnostics,
        policies: { ran: undefined, packs: [], findings: [] },
        changeSummary: numberRecord(digest.changeSummary),
        config: stringRecord(digest.config),
    };
}

function fromEvents(events: readonly Record<string, unknown>[], file: string): PreviewResult {
    const collector = new ResourceCollector();
    const diagnostics: PreviewDiagnostic[] = [];
    const findings: PolicyFinding[] = [];
    const packs = new Set<string>();
    let sawPolicyActivity = false;
    let sawSummary = false;
    let changeSummary: Record<string, number> = {};
    let config: Record<string, string> = {};
    events.forEach((event, i) => {
        const pre = event.resourcePreEvent;
        if (isObject(pre)) {
            const m = pre.metadata;
            if (!isObject(m) || typeof m.urn !== "string" || typeof m.op !== "string") {
                throw notPreview(file, i + 1, "resourcePreEvent has no metadata.urn or metadata.op");
            }
            collector.add({
                urn: m.urn,
                op: m.op,
                type: typeof m.type === "string" ? m.type : undefined,
                detailedDiff: m.detailedDiff,
                diffs: m.diffs,
                replaceKeys: m.keys,
                states: [m.old, m.new],
            });
        }
        const diag = event.diagnosticEvent;
        if (isObject(diag) && !diag.ephemeral && diag.severity !== "debug") {
            diagnostics.push({
                severity: String(diag.severity ?? "info"),
                urn: typeof diag.urn === "string" && diag.urn !== "" ? diag.urn : undefined,
                message: stripColors(String(diag.prefix ?? "") + String(diag.message ?? "")),
            });
        }
        const policy = event.policyEvent;
        if (isObject(policy)) {
            sawPolicyActivity = true;
            const pack = packName(policy);
            if (pack) packs.add(pack);
            findings.push({
                level: String(policy.enforcementLevel ?? ""),
                policy: String(policy.policyName ?? ""),
                pack: String(policy.policyPackName ?? ""),
                urn: typeof policy.resourceUrn === "string" && policy.resourceUrn !== "" ? policy.resourceUrn : undefined,
                message: stripColors(String(policy.message ?? "")).replace(/^\s*(mandatory|advisory|remediate):\s*/i, ""),
            });
        }
        for (const key of ["policyAnalyzeSummaryEvent", "policyAnalyzeStackSummaryEvent", "policyRemediateSummaryEvent"]) {
            const summary = event[key];
            if (isObject(summary)) {
                sawPolicyActivity = true;
                const pack = packName(summary);
                if (pack) packs.add(pack);
            }
        }
        if ("policyLoadEvent" in event) sawPolicyActivity = true;
        const summary = event.summaryEvent;
        if (isObject(summary)) {
            sawSummary = true;
            changeSummary = numberRecord(summary.resourceChanges);
            // `PolicyPacks` is PascalCase on the wire (a historical quirk of the API type); a
            // local pack is keyed `<name>|local|<path>`.
            for (const [key, version] of Object.entries(stringRecord(summary.PolicyPacks))) {
                packs.add(`${key.split("|")[0]}@${version.replace(/^v/, "")}`);
            }
        }
        const prelude = event.preludeEvent;
        if (isObject(prelude)) config = stringRecord(prelude.config);
    });
    const ran = packs.size > 0 || sawPolicyActivity ? true : sawSummary ? false : undefined;
    return {
        format: "events",
        resources: collector.resources(),
        diagnostics,
        policies: { ran, packs: [...packs].sort(), findings },
        changeSummary,
        config,
    };
}

function packName(event: Record<string, unknown>): string | undefined {
    if (typeof event.policyPackName !== "string" || event.policyPackName === "") return undefined;
    const version = typeof event.policyPackVersion === "string" && event.policyPackVersion !== "" ? `@${event.policyPackVersion}` : "";
    return `${event.policyPackName}${version}`;
}

interface StepInput {
    readonly urn: string;
    readonly op: string;
    readonly type?: string;
    readonly detailedDiff: unknown;
    readonly diffs: unknown;
    readonly replaceKeys: unknown;
    readonly states: readonly unknown[];
}

/** Folds the steps of each URN (a replacement is three steps) into one resource. */
class ResourceCollector {
    private readonly byUrn = new Map<string, { urn: string; type?: string; steps: string[]; keys: Map<string, ChangedKey> }>();

    add(step: StepInput): void {
        let entry = this.byUrn.get(step.urn);
        if (!entry) {
            entry = { urn: step.urn, type: step.type, steps: [], keys: new Map() };
            this.byUrn.set(step.urn, entry);
        }
        entry.type ??= step.type;
        entry.steps.push(step.op);
        const secret = secretKeysOf(step.states);
        const replaceKeys = new Set(stringList(step.replaceKeys));
        const merge = (path: string, kind: string | undefined, replace: boolean) => {
            const top = topKey(path);
            const previous = entry!.keys.get(path);
            entry!.keys.set(path, {
                path,
                kind: kind ?? previous?.kind,
                replace: replace || replaceKeys.has(top) || replaceKeys.has(path) || (previous?.replace ?? false),
                secret: secret.has(top) || (previous?.secret ?? false),
            });
        };
        if (isObject(step.detailedDiff) && Object.keys(step.detailedDiff).length > 0) {
            for (const [path, diff] of Object.entries(step.detailedDiff)) {
                // The digest writes `kind`, the event stream `diffKind`.
                const kind = isObject(diff) ? (typeof diff.kind === "string" ? diff.kind : typeof diff.diffKind === "string" ? diff.diffKind : undefined) : undefined;
                merge(path, kind?.replace(/-replace$/, ""), kind?.endsWith("-replace") ?? false);
            }
        } else {
            for (const path of stringList(step.diffs)) merge(path, undefined, false);
        }
        for (const path of replaceKeys) if (![...entry.keys.keys()].some((k) => topKey(k) === path)) merge(path, undefined, true);
    }

    resources(): ResourceChange[] {
        return [...this.byUrn.values()].map((entry) => {
            const parsed = parseUrn(entry.urn);
            return {
                urn: entry.urn,
                type: entry.type ?? parsed.type,
                name: parsed.name,
                op: foldOps(entry.steps),
                steps: entry.steps,
                keys: [...entry.keys.values()].sort((a, b) => a.path.localeCompare(b.path)),
            };
        });
    }
}

/** `urn:pulumi:<stack>::<project>::<parent$type>::<name>`; the name may itself contain `::`. */
export function parseUrn(urn: string): { type: string; name: string } {
    const parts = urn.split("::");
    if (parts.length < 4) return { type: "", name: urn };
    const qualifiedType = parts[2];
    return { type: qualifiedType.slice(qualifiedType.lastIndexOf("$") + 1), name: parts.slice(3).join("::") };
}

const REPLACE_STEPS = new Set(["replace", "create-replacement", "delete-replaced", "discard-replaced", "read-replacement", "import-replacement"]);
const SIMPLE_OPS: Readonly<Record<string, ResourceOp>> = {
    create: "create",
    update: "update",
    delete: "delete",
    "remove-pending-replace": "delete",
    import: "import",
    read: "read",
    refresh: "refresh",
    discard: "discard",
    same: "same",
};
const OP_RANK: readonly ResourceOp[] = ["replace", "delete", "create", "update", "import", "read", "refresh", "discard", "other", "same"];

function foldOps(steps: readonly string[]): ResourceOp {
    const ops = steps.map((op): ResourceOp => (REPLACE_STEPS.has(op) ? "replace" : (SIMPLE_OPS[op] ?? "other")));
    return ops.reduce((best, op) => (OP_RANK.indexOf(op) < OP_RANK.indexOf(best) ? op : best), "same" as ResourceOp);
}

/** Sort rank of an operation: what a reviewer must see first comes first. */
export function opRank(op: ResourceOp): number {
    return OP_RANK.indexOf(op);
}

/** Top-level property names that hold secrets in any of the given states. */
function secretKeysOf(states: readonly unknown[]): Set<string> {
    const keys = new Set<string>();
    for (const state of states) {
        if (!isObject(state)) continue;
        for (const name of stringList(state.additionalSecretOutputs)) keys.add(name);
        for (const bag of [state.inputs, state.outputs]) {
            if (!isObject(bag)) continue;
            for (const [key, value] of Object.entries(bag)) if (isSecretValue(value)) keys.add(key);
        }
    }
    return keys;
}

/** Pulumi's blinded secret (`[secret]`) or its wire form (an object with the secret signature). */
export function isSecretValue(value: unknown): boolean {
    return value === "[secret]" || (isObject(value) && value["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270");
}

function topKey(path: string): string {
    const match = /^[^.[]+/.exec(path);
    return match ? match[0] : path;
}

/** Removes Pulumi's colour directives (`<{%fg 1%}>`, `<{%reset%}>`) and ANSI escapes. */
export function stripColors(text: string): string {
    // eslint-disable-next-line no-control-regex
    return text.replace(/<\{%[^%]*%\}>/g, "").replace(/\u001b\[[0-9;]*m/g, "");
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringField(value: unknown, key: string): string | undefined {
    return isObject(value) && typeof value[key] === "string" ? (value[key] as string) : undefined;
}

function stringList(value: unknown): string[] {
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function numberRecord(value: unknown): Record<string, number> {
    if (!isObject(value)) return {};
    return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, number] => typeof entry[1] === "number"));
}

function stringRecord(value: unknown): Record<string, string> {
    if (!isObject(value)) return {};
    return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
}
