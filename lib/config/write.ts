import * as path from "path";
import { isDeepStrictEqual } from "util";
import { Document, isMap, isScalar, LineCounter, Node, Pair, parseDocument, Scalar, stringify, visit, YAMLMap } from "yaml";
import { badInput } from "../errors";
import { FileChange, readTextOrNull, TransactionHooks, writeFilesAtomically } from "./atomic";
import { pulumiNumber, pulumiTime } from "./pulumi-scalars";
import { dottedKey, qualifyKey } from "./keys";
import { lineColumn } from "./locate";

export { FileChange, readTextOrNull, TransactionHooks, writeFileAtomically, writeFilesAtomically } from "./atomic";

/**
 * Editing `Pulumi.<stack>.yaml` so that a promotion is a small, reviewable diff.
 *
 * The `yaml` Document API parses the file and says where every key and value is. A change
 * ("make the value at this path equal this") is reduced to the smallest set of edits — a
 * scalar replaced in place, a key added at the end of its map, a key removed — and those
 * edits are spliced into the original text. Why splice instead of `doc.toString()`: the
 * Document API re-renders the whole file (it moves aligned `# comments`, rewraps long
 * strings), so a one-pin promotion would touch unrelated lines. Every byte outside the
 * edited keys is kept.
 *
 * The result is re-parsed and compared with the intended data; when a construct is beyond
 * splicing (flow collections `{a: 1}`, keys that do not start their line) the same edits are
 * applied through the Document API instead: still correct, comments kept, some formatting
 * normalised (`formattingKept: false`).
 *
 * `secure:` values are never read into the intended data and never removed: a key holding a
 * secret that a change does not mention stays as it is.
 */

/** A path under `config:`; the first element is a config key (`pinstack:services`), qualified or not. */
export type EditPath = readonly string[];

/** Make the value at `path` equal `value` (a plain JSON-like value), or remove the key when `value` is undefined. */
export interface ConfigChange {
    readonly path: EditPath;
    readonly value: unknown;
}

export interface EditedText {
    readonly text: string;
    /** True when only the changed keys' lines differ (splicing); false when the Document API re-rendered. */
    readonly formattingKept: boolean;
    /** Unified diff of the change (`--- a/file` / `+++ b/file`), empty when nothing changed. */
    readonly diff: string;
}

/** An edit of one file, ready to be written with the others (see writeStackEdits). */
export interface PlannedFileEdit extends FileChange, EditedText {}

/** One primitive edit found by comparing the file with the intended value. */
type Operation =
    | { readonly kind: "scalar"; readonly node: Scalar; readonly value: unknown; readonly path: EditPath }
    | { readonly kind: "replace"; readonly pair: Pair; readonly map: YAMLMap; readonly value: unknown; readonly path: EditPath }
    | { readonly kind: "delete"; readonly pair: Pair; readonly map: YAMLMap; readonly path: EditPath }
    | { readonly kind: "insert"; readonly map: YAMLMap; readonly key: string; readonly value: unknown; readonly path: EditPath };

interface Splice {
    readonly start: number;
    readonly end: number;
    readonly text: string;
}

/**
 * Applies `changes` to stack file text. Bad input (exit 2) when the text is not a stack file.
 *
 * A file whose every line ends in CRLF (written on Windows, or checked out with
 * core.autocrlf) is edited as LF text and written back with CRLF throughout: new lines would
 * otherwise end in LF among CRLF ones. A file that mixes both is left as it is, its new lines
 * ending in LF. The diff is shown with LF endings.
 */
export function editConfigText(text: string, changes: readonly ConfigChange[], options: { file?: string; project?: string; diffName?: string } = {}): EditedText {
    if (!endsLinesWithCrlf(text)) return editLfText(text, changes, options);
    const edited = editLfText(text.replace(/\r\n/g, "\n"), changes, options);
    return { ...edited, text: edited.text === text.replace(/\r\n/g, "\n") ? text : edited.text.replace(/\n/g, "\r\n") };
}

/** Every line break is CRLF (and there is at least one). */
export function endsLinesWithCrlf(text: string): boolean {
    const lf = countNewlines(text);
    if (lf === 0) return false;
    let crlf = 0;
    for (let at = text.indexOf("\r\n"); at !== -1; at = text.indexOf("\r\n", at + 2)) crlf++;
    return crlf === lf;
}

function editLfText(text: string, changes: readonly ConfigChange[], options: { file?: string; project?: string; diffName?: string }): EditedText {
    const file = options.file ?? "Pulumi.<stack>.yaml";
    const diffName = options.diffName ?? file;
    const project = options.project ?? "pinstack";
    const lineCounter = new LineCounter();
    // uniqueKeys is checked by repeatedKey: the package's own check compares each key with every
    // other key of its map, which made a stack of thousands of services quadratic to edit.
    const doc = parseDocument(text, { lineCounter, keepSourceTokens: false, uniqueKeys: false });
    if (doc.errors.length > 0) {
        const pos = lineCounter.linePos(doc.errors[0].pos[0]);
        throw badInput(`malformed YAML: ${doc.errors[0].message.split("\n")[0]}`, { location: { file, line: pos.line, column: pos.col, key: "" } });
    }
    const repeated = repeatedKey(doc);
    if (repeated) {
        const pos = lineCounter.linePos(repeated.range?.[0] ?? 0);
        throw badInput(`malformed YAML: Map keys must be unique ('${String((repeated as Scalar).value)}' appears twice)`, {
            fix: "keep one of the two entries",
            location: { file, line: pos.line, column: pos.col, key: "" },
        });
    }
    const config = configMap(doc, text);
    const intended = intendedData(doc, changes, project, config);
    const operations: Operation[] = [];
    const flowRewrites = new Map<Pair, FlowRewrite>();
    for (const change of changes) {
        if (change.path.length === 0) throw new Error("a config change needs a path");
        diffInto(config, change.path, change.value, project, operations, flowRewrites);
    }
    for (const [pair, rewrite] of flowRewrites) {
        if (!isDeepStrictEqual(rewrite.value, (pair.value as Node).toJSON())) operations.push({ kind: "replace", pair, map: rewrite.map, value: rewrite.value, path: rewrite.path });
    }
    if (operations.length === 0) return { text, formattingKept: true, diff: "" };

    const splices = spliceOperations(text, operations, lineCounter);
    if (splices) {
        const spliced = applySplices(text, splices);
        if (sameData(spliced, intended)) {
            return { text: spliced, formattingKept: true, diff: unifiedDiff(diffName, text, spliced, splices) };
        }
    }
    const rendered = applyThroughDocument(doc, operations);
    if (!sameData(rendered, intended)) throw new Error(`internal error: editing ${file} did not produce the intended config`);
    return { text: rendered, formattingKept: false, diff: unifiedDiff(diffName, text, rendered) };
}

/**
 * Reads `file` and plans `changes` to it (nothing written). Bad input (exit 2) when it cannot be
 * read. `displayName` names the file in messages; the diff names it by its base name, as a
 * reviewer sees it in the project.
 */
export function planStackFileEdit(file: string, changes: readonly ConfigChange[], options: { project?: string; displayName?: string } = {}): PlannedFileEdit {
    const before = readTextOrNull(file);
    if (before === null) throw badInput(`${options.displayName ?? file}: no such stack file`);
    const edited = editConfigText(before, changes, { file: options.displayName ?? file, project: options.project, diffName: path.basename(file) });
    return { file, expected: before, ...edited };
}

/** Plans `changes` to text already read from `file` (the guard then checks the file still holds that text). */
export function planTextEdit(file: string, text: string, changes: readonly ConfigChange[], options: { project?: string; displayName?: string } = {}): PlannedFileEdit {
    const edited = editConfigText(text, changes, { file: options.displayName ?? file, project: options.project, diffName: path.basename(file) });
    return { file, expected: text, ...edited };
}

/** Writes planned edits (and any other file changes) all-or-nothing, refusing if a file changed since it was read. */
export function writeStackEdits(changes: readonly FileChange[], hooks: TransactionHooks = {}): void {
    writeFilesAtomically(changes, hooks);
}

// --- finding what to change -------------------------------------------------------------

function configMap(doc: Document, text: string): YAMLMap {
    const root = doc.contents;
    if (!isMap(root)) throw badInput("the stack file must be a YAML mapping with a config: key");
    const pair = root.items.find((p) => isScalar(p.key) && p.key.value === "config");
    if (!pair) {
        // Appending `config:` keeps the rest of the file untouched.
        throw badInput("the stack file has no config: key", { fix: `add a line 'config:' (the file has ${text.split("\n").length} lines)` });
    }
    if (!isMap(pair.value)) throw badInput("config: must be a mapping of keys to values");
    return pair.value;
}

function keyOf(pair: Pair): string {
    return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

/**
 * Pairs of a map by key, built once per map: a promotion of every pin looks up thousands of
 * keys in the one services map, and a scan per lookup made that quadratic.
 */
const pairIndexes = new WeakMap<YAMLMap, Map<string, Pair>>();

function findPair(map: YAMLMap, key: string, topLevel: boolean, project: string): Pair | undefined {
    let index = pairIndexes.get(map);
    if (!index) {
        index = new Map();
        for (const pair of map.items) {
            const written = topLevel ? qualifyKey(keyOf(pair), project) : keyOf(pair);
            if (!index.has(written)) index.set(written, pair);
        }
        pairIndexes.set(map, index);
    }
    return index.get(topLevel ? qualifyKey(key, project) : key);
}

function isSecret(node: unknown): boolean {
    return isMap(node) && node.items.length === 1 && keyOf(node.items[0]) === "secure";
}

/** A flow collection (`pinstack:services: {}`) being changed: rewritten whole, in block style, with every change to it. */
interface FlowRewrite {
    readonly map: YAMLMap;
    readonly path: EditPath;
    readonly value: Record<string, unknown>;
}

/** Walks to the value at `path` and records the operations that make it equal `value`. */
function diffInto(config: YAMLMap, path: EditPath, value: unknown, project: string, out: Operation[], flowRewrites: Map<Pair, FlowRewrite>): void {
    let map = config;
    for (let i = 0; i < path.length; i++) {
        const key = path[i];
        const pair = findPair(map, key, i === 0, project);
        const last = i === path.length - 1;
        if (pair && !last && isMap(pair.value) && pair.value.flow) {
            const rewrite = flowRewrites.get(pair) ?? { map, path: path.slice(0, i + 1), value: (pair.value.toJSON() ?? {}) as Record<string, unknown> };
            flowRewrites.set(pair, rewrite);
            setPath(rewrite.value, path.slice(i + 1), value);
            return;
        }
        if (!pair) {
            if (value === undefined) return;
            out.push({ kind: "insert", map, key, value: last ? value : nest(path.slice(i + 1), value), path: path.slice(0, i + 1) });
            return;
        }
        if (last) {
            reconcile(map, pair, value, path, out);
            return;
        }
        if (!isMap(pair.value)) {
            // A scalar where a map is wanted (the package shorthand `name: 10.8.5`): the pair becomes a map.
            if (value === undefined) return;
            const current = isScalar(pair.value) ? pair.value.toJSON() : (pair.value as Node | null)?.toJSON?.();
            out.push({ kind: "replace", pair, map, value: nest(path.slice(i + 1), value, current), path: path.slice(0, i + 1) });
            return;
        }
        map = pair.value;
    }
}

function nest(rest: EditPath, value: unknown, shorthand?: unknown): unknown {
    let out = value;
    for (let i = rest.length - 1; i >= 0; i--) out = { [rest[i]]: out };
    // `name: 10.8.5` read as { version: "10.8.5" } keeps its version when another key is added.
    if (shorthand !== undefined && shorthand !== null && typeof shorthand !== "object" && isPlainObject(out) && rest[0] !== "version") {
        return { version: String(shorthand), ...(out as Record<string, unknown>) };
    }
    return out;
}

function reconcile(map: YAMLMap, pair: Pair, value: unknown, path: EditPath, out: Operation[]): void {
    const node = pair.value;
    if (value === undefined) {
        out.push({ kind: "delete", pair, map, path });
        return;
    }
    if (isSecret(node)) {
        throw badInput(`${dottedKey(path)} holds a secret; pinstack does not overwrite secrets`, { fix: "change it with `pulumi config set --secret`" });
    }
    if (isScalar(node) && isPrimitive(value)) {
        if (!scalarEquals(node, value)) out.push({ kind: "scalar", node, value, path });
        return;
    }
    if (isMap(node) && !node.flow && isPlainObject(value)) {
        for (const [key, child] of Object.entries(value)) {
            const childPair = findPair(node, key, false, "");
            if (!childPair) {
                if (child !== undefined) out.push({ kind: "insert", map: node, key, value: child, path: [...path, key] });
            } else {
                reconcile(node, childPair, child, [...path, key], out);
            }
        }
        for (const childPair of node.items) {
            const key = keyOf(childPair);
            if (!Object.prototype.hasOwnProperty.call(value, key) && !isSecret(childPair.value)) {
                out.push({ kind: "delete", pair: childPair, map: node, path: [...path, key] });
            }
        }
        return;
    }
    const current = node === null || node === undefined ? null : (node as Node).toJSON();
    if (!isDeepStrictEqual(normaliseNumbers(node, current), value)) out.push({ kind: "replace", pair, map, value, path });
}

/** A plain number keeps its written text: `tag: 1.20` equals "1.20" (see lib/config/file NumberSource). */
function scalarEquals(node: Scalar, value: unknown): boolean {
    if (typeof node.value === "number" && node.type === "PLAIN" && typeof value === "string") return node.source === value;
    return node.value === value;
}

function normaliseNumbers(node: unknown, value: unknown): unknown {
    return isScalar(node) && typeof node.value === "number" && node.type === "PLAIN" && typeof node.source === "string" ? node.source : value;
}

function isPrimitive(value: unknown): value is string | number | boolean | null {
    return value === null || ["string", "number", "boolean"].includes(typeof value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

// --- the intended result, to check the edit against -------------------------------------

function intendedData(doc: Document, changes: readonly ConfigChange[], project: string, config: YAMLMap): unknown {
    const data = doc.toJS({ maxAliasCount: -1 }) as Record<string, unknown>;
    const target = data.config as Record<string, unknown>;
    for (const change of changes) {
        const [first, ...rest] = change.path;
        const pair = findPair(config, first, true, project);
        const written = pair ? keyOf(pair) : first;
        setPath(target, [written, ...rest], change.value);
    }
    return data;
}

function setPath(root: Record<string, unknown>, path: readonly string[], value: unknown): void {
    let at: Record<string, unknown> = root;
    for (let i = 0; i < path.length - 1; i++) {
        const next = at[path[i]];
        if (!isPlainObject(next)) {
            at[path[i]] = next !== undefined && next !== null && typeof next !== "object" && path[i + 1] !== "version" ? { version: String(next) } : {};
        }
        at = at[path[i]] as Record<string, unknown>;
    }
    const key = path[path.length - 1];
    if (value === undefined) delete at[key];
    else at[key] = keepSecrets(at[key], value);
}

/** Secrets under the old value survive a change that does not mention them. */
function keepSecrets(old: unknown, value: unknown): unknown {
    if (!isPlainObject(old) || !isPlainObject(value)) return value;
    const out: Record<string, unknown> = { ...value };
    for (const [key, child] of Object.entries(old)) {
        if (!(key in value) && isPlainObject(child) && Object.keys(child).length === 1 && "secure" in child) out[key] = child;
        else if (key in value) out[key] = keepSecrets(child, value[key]);
    }
    return out;
}

function sameData(text: string, intended: unknown): boolean {
    const doc = parseDocument(text, { uniqueKeys: false });
    if (doc.errors.length > 0 || repeatedKey(doc)) return false;
    // isDeepStrictEqual ignores key order, as YAML mappings do.
    return isDeepStrictEqual(doc.toJS({ maxAliasCount: -1 }), intended);
}

/** The first key written twice in one map (a scalar key compared by type and value), in one pass. */
function repeatedKey(doc: Document): Node | undefined {
    let found: Node | undefined;
    visit(doc, {
        Map(_key, map) {
            const seen = new Set<string>();
            for (const pair of map.items) {
                if (!isScalar(pair.key)) continue;
                const id = `${typeof pair.key.value}:${String(pair.key.value)}`;
                if (seen.has(id)) {
                    found = pair.key;
                    return visit.BREAK;
                }
                seen.add(id);
            }
            return undefined;
        },
    });
    return found;
}

// --- splicing ----------------------------------------------------------------------------

/** The text splices for the operations, or undefined when one is beyond splicing. */
function spliceOperations(text: string, operations: readonly Operation[], lines: LineCounter): Splice[] | undefined {
    const splices: Splice[] = [];
    const inserts = new Map<YAMLMap, { key: string; value: unknown }[]>();
    for (const op of operations) {
        if (op.kind === "insert") {
            const entries = inserts.get(op.map);
            if (entries) entries.push({ key: op.key, value: op.value });
            else inserts.set(op.map, [{ key: op.key, value: op.value }]);
            continue;
        }
        const splice = spliceFor(text, op, lines);
        if (!splice) return undefined;
        splices.push(splice);
    }
    for (const [map, entries] of inserts) {
        const splice = insertSplice(text, map, entries, lines);
        if (!splice) return undefined;
        splices.push(splice);
    }
    splices.sort((a, b) => a.start - b.start || a.end - b.end);
    for (let i = 1; i < splices.length; i++) {
        if (splices[i].start < splices[i - 1].end) return undefined;
    }
    return splices;
}

function spliceFor(text: string, op: Exclude<Operation, { kind: "insert" }>, lines: LineCounter): Splice | undefined {
    if (op.kind === "scalar") {
        const range = op.node.range;
        if (!range || op.node.type === "BLOCK_FOLDED" || op.node.type === "BLOCK_LITERAL") return undefined;
        const rendered = renderScalar(op.value, op.node.type);
        if (rendered === undefined) return undefined;
        // Keep an aligned trailing comment in its column: `tag: 2023.05.1      # calver`.
        const gap = /^[ \t]+(?=#)/.exec(text.slice(range[1], range[2]));
        if (gap) {
            const spaces = Math.max(1, gap[0].length + (range[1] - range[0]) - rendered.length);
            return { start: range[0], end: range[1] + gap[0].length, text: rendered + " ".repeat(spaces) };
        }
        return { start: range[0], end: range[1], text: rendered };
    }
    const extent = pairExtent(text, op.pair);
    if (!extent) return undefined;
    if (op.kind === "delete") return { start: extent.start, end: extent.end, text: "" };
    const step = indentStep(op.map, lines, extent.indent);
    return { start: extent.start, end: extent.end, text: renderPair(keyOf(op.pair), op.value, extent.indent, step) };
}

/** The whole lines a block-map pair occupies: from its key's line start to the end of its value. */
function pairExtent(text: string, pair: Pair): { start: number; end: number; indent: number } | undefined {
    const keyRange = (pair.key as Node | null)?.range;
    if (!keyRange) return undefined;
    const lineStart = text.lastIndexOf("\n", keyRange[0] - 1) + 1;
    if (text.slice(lineStart, keyRange[0]).trim() !== "") return undefined;
    const valueNode = pair.value as Node | null;
    let end = valueNode?.range ? valueNode.range[2] : keyRange[2];
    // A scalar's node end includes its newline; a key with no value ends at its line's end.
    const newline = text.indexOf("\n", Math.max(end - 1, keyRange[2]));
    if (end === 0 || text[end - 1] !== "\n") end = newline === -1 ? text.length : newline + 1;
    return { start: lineStart, end, indent: keyRange[0] - lineStart };
}

/** Inserts new pairs after the last item of a block map, at its indentation. */
function insertSplice(text: string, map: YAMLMap, entries: { key: string; value: unknown }[], lines: LineCounter): Splice | undefined {
    if (map.flow || map.items.length === 0) return undefined;
    const last = map.items[map.items.length - 1];
    const extent = pairExtent(text, last);
    const first = pairExtent(text, map.items[0]);
    if (!extent || !first) return undefined;
    const step = indentStep(map, lines, first.indent);
    const body = entries.map((e) => renderPair(e.key, e.value, first.indent, step)).join("");
    const needsNewline = extent.end > 0 && text[extent.end - 1] !== "\n";
    return { start: extent.end, end: extent.end, text: (needsNewline ? "\n" : "") + body };
}

/** How far the file indents a nested map (2 unless the file shows otherwise). */
function indentStep(map: YAMLMap, lines: LineCounter, indent: number): number {
    for (const pair of map.items) {
        const child = pair.value;
        if (isMap(child) && !child.flow && child.items.length > 0) {
            const range = (child.items[0].key as Node | null)?.range;
            if (range) {
                const col = lines.linePos(range[0]).col - 1;
                if (col > indent) return col - indent;
            }
        }
    }
    return 2;
}

/**
 * Strings Go's yaml (which Pulumi uses) would read as a time or a number are written quoted,
 * as in the files people write: `at: "2023-05-02T09:30:00Z"`, `tag: "1_000"` (the `yaml`
 * package quotes only what YAML 1.2's core schema would retype).
 */
function looksLikeTimestamp(value: unknown): boolean {
    return typeof value === "string" && (/^\d{4}-\d{1,2}-\d{1,2}(?:$|[Tt ])/.test(value) || pulumiNumber(value) !== undefined || pulumiTime(value));
}

function renderScalar(value: unknown, type: Scalar.Type | undefined): string | undefined {
    if (typeof value === "string" && (type === "QUOTE_DOUBLE" || looksLikeTimestamp(value))) return JSON.stringify(value);
    if (typeof value === "string" && type === "QUOTE_SINGLE" && !value.includes("\n")) return `'${value.replace(/'/g, "''")}'`;
    const rendered = stringify(value, { lineWidth: 0 }).replace(/\n$/, "");
    return rendered.includes("\n") ? undefined : rendered;
}

function renderPair(key: string, value: unknown, indent: number, step: number): string {
    const doc = new Document({ [key]: value });
    visit(doc, {
        Scalar(_key, node) {
            if (looksLikeTimestamp(node.value)) node.type = "QUOTE_DOUBLE";
        },
    });
    const text = doc.toString({ indent: step, lineWidth: 0, indentSeq: true });
    const pad = " ".repeat(indent);
    return text
        .replace(/\n$/, "")
        .split("\n")
        .map((line) => (line === "" ? line : pad + line))
        .join("\n") + "\n";
}

function applySplices(text: string, splices: readonly Splice[]): string {
    let out = "";
    let at = 0;
    for (const splice of splices) {
        out += text.slice(at, splice.start) + splice.text;
        at = splice.end;
    }
    return out + text.slice(at);
}

// --- the Document API fallback -----------------------------------------------------------

function applyThroughDocument(doc: Document, operations: readonly Operation[]): string {
    const quoteTimestamps = <T>(node: T): T => {
        visit(node as unknown as Node, {
            Scalar(_key, scalar) {
                if (looksLikeTimestamp(scalar.value)) scalar.type = "QUOTE_DOUBLE";
            },
        });
        return node;
    };
    for (const op of operations) {
        switch (op.kind) {
            case "scalar":
                op.node.value = op.value;
                if (looksLikeTimestamp(op.value)) op.node.type = "QUOTE_DOUBLE";
                break;
            case "replace":
                op.pair.value = quoteTimestamps(doc.createNode(op.value));
                break;
            case "delete":
                op.map.items.splice(op.map.items.indexOf(op.pair), 1);
                break;
            case "insert":
                op.map.items.push(quoteTimestamps(doc.createPair(op.key, op.value) as Pair));
                break;
        }
    }
    return doc.toString({ lineWidth: 0 });
}

// --- the diff people review ----------------------------------------------------------------

const CONTEXT = 3;

/**
 * A unified diff (secure: values redacted, so it is for reading, not for patch(1) when a hunk
 * shows one). With the splices known, only their lines are compared (linear in the file);
 * otherwise the common head and tail are trimmed and the middle shown as one hunk.
 */
export function unifiedDiff(file: string, before: string, after: string, splices?: readonly Splice[]): string {
    if (before === after) return "";
    const oldLines = splitLines(before);
    const newLines = splitLines(after);
    const regions: { oldStart: number; oldEnd: number; newStart: number; newEnd: number }[] = [];
    if (splices && splices.length > 0) {
        // Map each splice to whole lines of the old text, then follow the shift it causes in the new text.
        const position = lineColumn(before);
        const lineOf = (offset: number) => position(offset).line - 1;
        let shift = 0;
        let pending: { oldStart: number; oldEnd: number; added: number } | undefined;
        const flush = () => {
            if (!pending) return;
            regions.push({ oldStart: pending.oldStart, oldEnd: pending.oldEnd, newStart: pending.oldStart + shift, newEnd: pending.oldEnd + shift + pending.added });
            shift += pending.added;
            pending = undefined;
        };
        const isLineStart = (offset: number) => position(offset).column === 1;
        for (const splice of splices) {
            const oldStart = lineOf(splice.start);
            const oldEnd =
                splice.end === splice.start ? (isLineStart(splice.start) ? oldStart : oldStart + 1) : isLineStart(splice.end) ? lineOf(splice.end) : lineOf(splice.end) + 1;
            const removedText = before.slice(splice.start, splice.end);
            const added = countNewlines(splice.text) - countNewlines(removedText);
            if (pending && oldStart <= pending.oldEnd) {
                pending.oldEnd = Math.max(pending.oldEnd, oldEnd);
                pending.added += added;
            } else {
                flush();
                pending = { oldStart, oldEnd, added };
            }
        }
        flush();
    } else {
        let head = 0;
        while (head < oldLines.length && head < newLines.length && oldLines[head] === newLines[head]) head++;
        let tail = 0;
        while (tail < oldLines.length - head && tail < newLines.length - head && oldLines[oldLines.length - 1 - tail] === newLines[newLines.length - 1 - tail]) tail++;
        regions.push({ oldStart: head, oldEnd: oldLines.length - tail, newStart: head, newEnd: newLines.length - tail });
    }
    // Group regions whose context overlaps into hunks.
    const hunks: string[] = [];
    let i = 0;
    while (i < regions.length) {
        let j = i;
        while (j + 1 < regions.length && regions[j + 1].oldStart - regions[j].oldEnd <= 2 * CONTEXT) j++;
        const first = regions[i];
        const lastRegion = regions[j];
        const oldFrom = Math.max(0, first.oldStart - CONTEXT);
        const newFrom = Math.max(0, first.newStart - CONTEXT);
        const oldTo = Math.min(oldLines.length, lastRegion.oldEnd + CONTEXT);
        const newTo = Math.min(newLines.length, lastRegion.newEnd + CONTEXT);
        const body: string[] = [];
        let o = oldFrom;
        for (let k = i; k <= j; k++) {
            const r = regions[k];
            while (o < r.oldStart) body.push(` ${oldLines[o++]}`);
            for (let x = r.oldStart; x < r.oldEnd; x++) body.push(`-${oldLines[x]}`);
            for (let x = r.newStart; x < r.newEnd; x++) body.push(`+${newLines[x]}`);
            o = r.oldEnd;
        }
        while (o < oldTo) body.push(` ${oldLines[o++]}`);
        hunks.push(`@@ -${range(oldFrom, oldTo)} +${range(newFrom, newTo)} @@\n${body.map(redactSecrets).join("\n")}\n`);
        i = j + 1;
    }
    return `--- a/${file}\n+++ b/${file}\n${hunks.join("")}`;
}

/** `secure:` values are ciphertext, but pinstack prints no secret in any form: diffs show them redacted. */
function redactSecrets(line: string): string {
    return line.replace(/(\bsecure:\s*)("[^"]*"|'[^']*'|[^\s,}#]+)/g, "$1[secret]");
}

function range(from: number, to: number): string {
    const count = to - from;
    return count === 1 ? `${from + 1}` : `${count === 0 ? from : from + 1},${count}`;
}

function splitLines(text: string): string[] {
    const lines = text.split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    return lines;
}

function countNewlines(text: string): number {
    let n = 0;
    for (let i = 0; i < text.length; i++) if (text[i] === "\n") n++;
    return n;
}
