import { badInput } from "../errors";
import type { PinComparison, PinView } from "../format";
import type { SignatureRecord, Violation } from "../model";
import { cell, code, plural, row, tableHeader } from "./markdown";
import { shortDigest } from "../pin";
import { opRank, parseUrn, PolicyFinding, PreviewDiagnostic, PreviewResult, ResourceChange, ResourceOp } from "./preview";
import { Redactor } from "./secrets";
import { fitSections, GITHUB_COMMENT_LIMIT, Section } from "./truncate";

/**
 * The pull request comment for one stack: pin changes first (what the reviewer is asked to
 * approve), then policy results, then the preview diff. Deterministic: the same inputs give
 * the same text, so CI can leave an unchanged comment alone.
 */

/** Default size cap: below GitHub's 65,536 so a later edit of the layout has room. */
export const DEFAULT_MAX_CHARS = 60000;

/** Keys listed per resource before "+N more". */
const MAX_KEYS_PER_RESOURCE = 8;

const STACK_NAME = /^[A-Za-z0-9._-]+$/;

/** The hidden first line CI uses to find this stack's comment and update it in place. */
export function commentMarker(stack: string): string {
    if (!STACK_NAME.test(stack)) {
        throw badInput(`invalid stack name '${stack}'`, { why: "stack names are letters, digits, '.', '_' and '-'", fix: "pass the name from Pulumi.<stack>.yaml" });
    }
    return `<!-- pinstack:stack=${stack} -->`;
}

export interface CommentInput {
    readonly stack: string;
    readonly pinChanges: readonly PinComparison[];
    readonly preview: PreviewResult;
    /** Where the "from" pins came from. */
    readonly base: { readonly ref: string; readonly commit?: string; readonly stackFileExisted: boolean };
    /** Commit the preview ran on, for the reader. */
    readonly commit?: string;
    /** Faults in the stack files (base or head), shown to the reviewer. */
    readonly configProblems?: readonly string[];
    /** Findings of rules that need the change itself (hold: base as `previous`), from lib/rules. */
    readonly changeRules?: readonly Violation[];
    /**
     * The freeze state, shown first: the freeze the stack is under now (lib/freeze's
     * describeFreeze), and one line per pin of the change promoted with --break-glass.
     */
    readonly freeze?: { readonly frozen?: string; readonly breakGlass: readonly string[] };
    /** Strings that must never appear (values of keys that are `secure:` in the stack files). */
    readonly redactor?: Redactor;
    readonly maxChars?: number;
}

export function renderComment(input: CommentInput): string {
    const maxChars = input.maxChars ?? DEFAULT_MAX_CHARS;
    if (!Number.isInteger(maxChars) || maxChars > GITHUB_COMMENT_LIMIT || maxChars < 1) {
        throw badInput(`--max-chars ${maxChars} is out of range`, { fix: `use a whole number up to ${GITHUB_COMMENT_LIMIT} (GitHub's limit); the default is ${DEFAULT_MAX_CHARS}` });
    }
    const redact = input.redactor ?? new Redactor([]);
    const resources = input.preview.resources.filter((r) => r.op !== "same").sort(compareResources);
    const findings = policyRows(input.preview, input.changeRules ?? [], redact);
    const counts = changeCounts(input.preview);

    const before = [
        commentMarker(input.stack),
        `### pinstack preview: ${code(input.stack)}`,
        "",
        ...freezeLines(input, redact),
        headline(input, counts, findings),
        "",
        provenanceLine(input),
        ...(input.configProblems?.length
            ? ["", ...input.configProblems.map((problem) => `> **Stack file problem:** ${cell(redact.apply(problem))}`)]
            : []),
    ];
    const sections: Section[] = [pinSection(input.pinChanges), policySection(input.preview, findings), diffSection(resources, counts)];
    const after = ["", "<sub>Rendered by <code>pinstack ci comment</code> from <code>pulumi preview --json</code>. Secret values are never shown.</sub>"];
    return fitSections(before, sections, after, maxChars).text;
}

// ---------------------------------------------------------------------------- header

/** Before everything else: a reviewer must know the stack is frozen, and which pins break the glass. */
function freezeLines(input: CommentInput, redact: Redactor): string[] {
    const lines = [
        ...(input.freeze?.frozen ? [`> **Frozen:** ${cell(redact.apply(input.freeze.frozen))}. Only rollbacks pass, or a promotion with \`--break-glass\`.`] : []),
        ...(input.freeze?.breakGlass ?? []).map((line) => `> **Break-glass:** ${cell(redact.apply(line))}`),
    ];
    return lines.length ? [lines.join("\n>\n"), ""] : [];
}

function headline(input: CommentInput, counts: ChangeCounts, findings: readonly FindingRow[]): string {
    const pins = plural(input.pinChanges.length, "pin change");
    const refusing = findings.filter((f) => f.blocking).length;
    const warnings = findings.length - refusing;
    const policy = refusing > 0 ? `**${plural(refusing, "blocking finding")}**` : "no blocking findings";
    const warn = warnings > 0 ? `, ${plural(warnings, "warning")}` : "";
    return `**${pins}** · ${counts.changing === 0 ? "no resource changes" : `${plural(counts.changing, "resource")} to change`} · ${policy}${warn}`;
}

function provenanceLine(input: CommentInput): string {
    const head = input.commit ? `Preview of ${code(shortSha(input.commit))}` : "Preview of the working copy";
    const baseCommit = input.base.commit ? ` (${code(shortSha(input.base.commit))})` : "";
    const base = `${code(input.base.ref)}${baseCommit}`;
    return input.base.stackFileExisted
        ? `${head}; pins compared with ${base}.`
        : `${head}; ${code(`Pulumi.${input.stack}.yaml`)} does not exist on ${base}, so every pin is new.`;
}

function shortSha(sha: string): string {
    return /^[0-9a-f]{40}$/i.test(sha) ? sha.slice(0, 12) : sha;
}

// ---------------------------------------------------------------------------- pins

function pinSection(changes: readonly PinComparison[]): Section {
    return {
        // The pins are what the reviewer approves: they get the room first.
        priority: 0,
        head: ["", "#### Pin changes"],
        tableHead: ["", ...tableHeader(["Pin", "From → to", "Digest", "Provenance"])],
        rows: changes.map(pinRow),
        empty: ["", "No pin changes: this change does not move any service or package."],
        omitted: (n) => `… and ${plural(n, "more pin change")} not shown.`,
    };
}

const ARROWS: Readonly<Record<PinComparison["direction"], string>> = { upgrade: " (up)", downgrade: " (**down**)", same: "", unordered: "" };

function pinRow(change: PinComparison): string {
    const subject = `${change.kind} ${code(change.name)}`;
    const from = versionOf(change.before);
    const to = versionOf(change.after);
    let move: string;
    if (change.change === "add") move = `added: ${version(to)}`;
    else if (change.change === "remove") move = `**removed** (was ${version(from)})`;
    else if (change.provenanceOnly) move = `${version(to)} (unchanged; provenance updated)`;
    else if (from === to && change.containers) move = `${version(to)} (containers changed)`;
    else move = `${version(from)} → ${version(to)}${ARROWS[change.direction]}`;
    const imageFrom = change.before?.image;
    const imageTo = change.after?.image;
    if (change.change === "add" ? imageTo !== undefined : change.change === "update" && imageFrom !== imageTo) {
        move += `<br>image ${change.change === "update" && imageFrom !== undefined ? `${code(imageFrom)} → ` : ""}${code(imageTo ?? "")}`;
    }
    for (const line of change.containers ?? []) move += `<br>${cell(line, 200)}`;
    return row([subject, move, digestCell(change), provenanceCell(change)]);
}

/** The tag of a service's main image, or a package's version. */
function versionOf(pin: PinView | null): string | undefined {
    return pin ? (pin.version ?? pin.tag) : undefined;
}

function version(value: string | undefined): string {
    return value === undefined || value === "" ? "(none)" : code(value);
}

function digestCell(change: PinComparison): string {
    const before = change.before?.digest;
    const after = change.after?.digest;
    if (change.change === "remove") return before ? code(shortDigest(before)) : "—";
    if (before !== undefined && after !== undefined && before !== after) {
        return `${code(shortDigest(before))} → ${code(shortDigest(after))}`;
    }
    if (before !== undefined && after === undefined) return `**dropped** (was ${code(shortDigest(before))})`;
    return after !== undefined ? code(shortDigest(after)) : "—";
}

function provenanceCell(change: PinComparison): string {
    if (change.change === "remove") return "—";
    const p = change.provenance;
    if (!p) return "none: typed in, not promoted";
    const parts = [p.rollback ? `**rollback** from ${code(p.from)}` : `from ${code(p.from)}`, `by ${cell(p.by, 120)}`];
    if (p.at) parts.push(cell(p.at, 40));
    let text = `${parts.join(", ")}: ${cell(p.reason, 200)}`;
    if (p.allowUndeployed) text += " (**allow-undeployed**)";
    if (change.sealValid === false) text += "<br>**seal does not match this pin** (edited by hand after promotion?)";
    else if (p.signatures?.length) text += `<br>${signedCell(p.signatures)}`;
    return text;
}

/** Which key verified each image at promotion: one key for all is said once, else image by image. */
function signedCell(signatures: readonly SignatureRecord[]): string {
    const keys = [...new Set(signatures.map((s) => s.key))];
    if (keys.length === 1) return `signed: key ${code(keys[0])}${signatures.length > 1 ? ` (${signatures.length} images)` : ""}`;
    return `signed: ${signatures.map((s) => `${code(cell(s.image, 120))} by key ${code(s.key)}`).join(", ")}`;
}

// ---------------------------------------------------------------------------- policy

interface FindingRow {
    readonly blocking: boolean;
    readonly rank: number;
    readonly line: string;
}

const LEVELS: Readonly<Record<string, { rank: number; label: string; blocking: boolean }>> = {
    mandatory: { rank: 0, label: "**mandatory**", blocking: true },
    error: { rank: 1, label: "**error**", blocking: true },
    remediate: { rank: 2, label: "remediate", blocking: false },
    advisory: { rank: 3, label: "advisory", blocking: false },
    warning: { rank: 4, label: "warning", blocking: false },
};

function policyRows(preview: PreviewResult, changeRules: readonly Violation[], redact: Redactor): FindingRow[] {
    const rows: FindingRow[] = [];
    const add = (level: string, source: string, resource: string, message: string) => {
        const known = LEVELS[level] ?? { rank: 5, label: cell(level || "unknown"), blocking: false };
        rows.push({ blocking: known.blocking, rank: known.rank, line: row([known.label, source, resource, cell(redact.apply(message))]) });
    };
    for (const v of changeRules) {
        if (v.level === "disabled") continue;
        add(v.level, `${code(v.rule)} (pinstack, with the base as before)`, v.subject ? code(v.subject) : "stack", v.message);
    }
    for (const f of preview.policies.findings) add(f.level, policySource(f), resourceCell(f.urn), f.message);
    for (const d of preview.diagnostics.filter(isProblem)) add(d.severity, "preview", resourceCell(d.urn), d.message);
    // Stable order: by level, then as the preview reported them.
    return rows.map((r, i) => ({ r, i })).sort((a, b) => a.r.rank - b.r.rank || a.i - b.i).map(({ r }) => r);
}

function isProblem(d: PreviewDiagnostic): boolean {
    return d.severity === "error" || d.severity === "warning";
}

function policySource(f: PolicyFinding): string {
    return f.pack ? `${code(f.policy)} (${cell(f.pack)})` : code(f.policy);
}

function resourceCell(urn: string | undefined): string {
    if (!urn) return "stack";
    const { type, name } = parseUrn(urn);
    if (type === "pulumi:pulumi:Stack" || type === "Stack") return "stack";
    return `${code(name)} (${cell(type, 80)})`;
}

function policySection(preview: PreviewResult, findings: readonly FindingRow[]): Section {
    const packs = preview.policies.packs.length ? preview.policies.packs.map((p) => code(p)).join(", ") : undefined;
    let status: string;
    if (preview.policies.ran === undefined) {
        status =
            "Policy pack results are not in this preview output (the `pulumi preview --json` digest carries no policy events; " +
            "CI runs it with `PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true` to get them). Errors and warnings of the preview are below.";
    } else if (preview.policies.ran === false) {
        status = "**No policy pack ran in this preview.** Run it with `--policy-pack policies`.";
    } else {
        const count = preview.policies.findings.length;
        status = `Policy packs: ${packs ?? "(unnamed)"}; ${count === 0 ? "no violations" : plural(count, "violation")}.`;
    }
    return {
        priority: 1,
        head: ["", "#### Policy results", "", status],
        tableHead: ["", ...tableHeader(["Level", "Rule", "Resource", "Message"])],
        rows: findings.map((f) => f.line),
        empty: ["", "Nothing to report: no policy violation, preview error or warning."],
        omitted: (n) => `… and ${plural(n, "more finding")} not shown.`,
    };
}

// ---------------------------------------------------------------------------- diff

interface ChangeCounts {
    /** Resources that change (anything but same). */
    readonly changing: number;
    readonly summary: string;
}

const SUMMARY_ORDER = ["create", "update", "replace", "delete", "import", "read", "refresh", "discard", "same"];
const SUMMARY_WORDS: Readonly<Record<string, string>> = {
    create: "to create",
    update: "to update",
    replace: "to replace",
    delete: "to delete",
    import: "to import",
    read: "to read",
    refresh: "to refresh",
    discard: "to discard",
    same: "unchanged",
};

function changeCounts(preview: PreviewResult): ChangeCounts {
    // Pulumi's own summary when it is there; it counts the steps of a replacement once.
    let counts: Record<string, number> = { ...preview.changeSummary };
    if (Object.keys(counts).length === 0) {
        counts = {};
        for (const r of preview.resources) counts[r.op] = (counts[r.op] ?? 0) + 1;
    }
    const ops = Object.keys(counts)
        .filter((op) => counts[op] > 0)
        .sort((a, b) => orderOf(a) - orderOf(b) || a.localeCompare(b));
    const changing = ops.filter((op) => op !== "same").reduce((sum, op) => sum + counts[op], 0);
    return { changing, summary: ops.length ? ops.map((op) => `${counts[op]} ${SUMMARY_WORDS[op] ?? op}`).join(", ") : "no resources" };
}

function orderOf(op: string): number {
    const i = SUMMARY_ORDER.indexOf(op);
    return i < 0 ? SUMMARY_ORDER.length : i;
}

const OP_SYMBOLS: Readonly<Record<ResourceOp, string>> = {
    replace: "+-",
    delete: "-",
    create: "+",
    update: "~",
    import: "=",
    read: ">",
    refresh: "~",
    discard: "<",
    other: "?",
    same: " ",
};

function compareResources(a: ResourceChange, b: ResourceChange): number {
    return opRank(a.op) - opRank(b.op) || a.type.localeCompare(b.type) || a.name.localeCompare(b.name) || a.urn.localeCompare(b.urn);
}

function diffSection(resources: readonly ResourceChange[], counts: ChangeCounts): Section {
    return {
        priority: 1,
        head: ["", `#### Preview: ${counts.summary}`],
        tableHead: ["", ...tableHeader(["Op", "Type", "Name", "Changed keys"])],
        rows: resources.map(resourceRow),
        empty: ["", "No resource changes."],
        omitted: (n) => `… and ${plural(n, "more resource")} not shown (the counts above include them; the full preview is in the workflow run's log).`,
    };
}

function resourceRow(r: ResourceChange): string {
    const shown = r.keys.slice(0, MAX_KEYS_PER_RESOURCE).map((k) => {
        const notes = [k.replace ? "replace" : "", k.secret ? "secret" : ""].filter(Boolean);
        return `${code(k.path, 120)}${notes.length ? ` (${notes.join(", ")})` : ""}`;
    });
    if (r.keys.length > MAX_KEYS_PER_RESOURCE) shown.push(`+${r.keys.length - MAX_KEYS_PER_RESOURCE} more`);
    return row([`${code(OP_SYMBOLS[r.op])} ${r.op}`, code(r.type, 120), code(r.name, 120), shown.join(", ") || "—"]);
}
