import * as fs from "fs";
import * as path from "path";
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, Scalar } from "yaml";
import { badInput } from "../errors";
import { qualifyKey } from "./keys";
import { Locator, Position, positionLocator } from "./locate";

/** A `Pulumi.<stack>.yaml` read from disk: its `config:` map as plain data, and where each key is. */
export interface StackFile {
    readonly file: string;
    /** The `config:` map with `secure:` values removed; keys qualified (`services` -> `pinstack:services`). */
    readonly raw: Readonly<Record<string, unknown>>;
    /** Dotted keys whose values are `secure:` (encrypted); their values are never returned. */
    readonly secretKeys: readonly string[];
    readonly locate: Locator;
}

/**
 * Reads a stack file with the `yaml` Document API. Throws a bad-input PinstackError
 * (exit 2) for a missing or unreadable file, an empty file, malformed YAML (with its
 * line), or a file whose shape is not `config: {...}`.
 */
export function readStackFile(file: string, options: { project?: string } = {}): StackFile {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw badInput(code === "ENOENT" ? `${file}: no such stack file` : `${file}: cannot read the stack file (${code ?? String(err)})`, {
            fix: "check the path, or pass the project directory with -C <dir>",
        });
    }
    return parseStackFileText(file, text, options);
}

/** Same as readStackFile, for text already in memory (tests, editors). */
export function parseStackFileText(file: string, text: string, options: { project?: string } = {}): StackFile {
    const project = options.project ?? projectNameNear(file);
    const where = (line: number, column: number, key = "") => ({ file, line, column, key });
    // Empty: no line holds anything but blanks and comments.
    if (!/^[ \t]*[^\s#]/m.test(text)) {
        throw badInput("the stack file is empty", {
            why: "a stack file needs a config: map with at least pinstack:environment",
            fix: "restore the file from git, or write `config:` with the stack's pinstack: keys",
            location: where(1, 0),
        });
    }
    const lineCounter = new LineCounter();
    // Duplicate keys are found in toPlain with a Set: yaml's own check compares every key
    // with every earlier one, which is quadratic in a map of a thousand services.
    const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
    if (doc.errors.length > 0) {
        const first = doc.errors[0];
        const pos = lineCounter.linePos(first.pos[0]);
        throw badInput(`malformed YAML: ${first.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}`, {
            fix: "fix the YAML syntax at that line (indentation, quotes, brackets)",
            location: where(pos.line, pos.col),
        });
    }
    const root = doc.contents;
    if (!isMap(root)) {
        throw badInput("the stack file must be a YAML mapping with a config: key", { location: where(1, 1) });
    }
    const configPair = root.items.find((pair) => isScalar(pair.key) && pair.key.value === "config");
    // Positions are recorded while the values are converted: one walk over the document.
    const positions = new Map<string, Position>();
    const positionOf = (node: unknown): Position => {
        const pos = lineCounter.linePos((node as Scalar | undefined)?.range?.[0] ?? 0);
        return { line: pos.line, column: pos.col };
    };
    const configLine = configPair ? positionOf(configPair.key) : { line: 0, column: 0 };
    const locate = positionLocator(file, positions, configLine);
    if (!configPair || configPair.value === null || (isScalar(configPair.value) && configPair.value.value === null)) {
        return { file, raw: {}, secretKeys: [], locate };
    }
    if (!isMap(configPair.value)) {
        const pos = lineCounter.linePos((configPair.key as Scalar).range?.[0] ?? 0);
        throw badInput("config: must be a mapping of keys to values", { location: where(pos.line, pos.col, "config") });
    }
    const secretKeys: string[] = [];
    const raw: Record<string, unknown> = {};
    const duplicate = (node: unknown, name = String(isScalar(node) ? node.value : node)) => {
        const pos = lineCounter.linePos((node as Scalar).range?.[0] ?? 0);
        return badInput(`malformed YAML: Map keys must be unique ('${name}' appears twice)`, {
            fix: "keep one of the two entries",
            location: where(pos.line, pos.col),
        });
    };
    checkUniqueKeys(root, duplicate);
    const walk: Walk = { secretKeys, duplicate, positions, positionOf };
    const seen = new Set<string>();
    for (const pair of configPair.value.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const key = qualifyKey(String(pair.key.value), project);
        if (seen.has(key)) throw duplicate(pair.key, key);
        seen.add(key);
        positions.set(key, positionOf(pair.key));
        const value = toPlain(pair.value, key, walk);
        if (value !== SECRET) raw[key] = value;
    }
    return { file, raw, secretKeys, locate };
}

const SECRET = Symbol("secret");

/** The top level of the file (config:, secretsprovider:, ...) must not repeat a key either. */
function checkUniqueKeys(root: { items: unknown[] }, duplicate: (key: unknown) => Error): void {
    const seen = new Set<string>();
    for (const pair of root.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        if (seen.has(key)) throw duplicate(pair.key);
        seen.add(key);
    }
}

/**
 * Converts YAML nodes to plain values. Two things differ from doc.toJS(): `secure:`
 * values are dropped (recorded in secretKeys) so no code path can print them, and an
 * unquoted number keeps its source text (`tag: 1.20` is the tag "1.20", not 1.2) so a
 * version is checked as written; the schema then decides whether a number was wanted.
 */
interface Walk {
    readonly secretKeys: string[];
    readonly duplicate: (key: unknown) => Error;
    /** Dotted key -> where its key (or list item) is written. */
    readonly positions: Map<string, Position>;
    readonly positionOf: (node: unknown) => Position;
}

function toPlain(node: unknown, at: string, walk: Walk): unknown {
    if (isMap(node)) {
        if (node.items.length === 1 && isScalar(node.items[0].key) && node.items[0].key.value === "secure") {
            walk.secretKeys.push(at);
            return SECRET;
        }
        const out: Record<string, unknown> = {};
        const seen = new Set<string>();
        for (const pair of node.items) {
            const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
            if (seen.has(key)) throw walk.duplicate(pair.key);
            seen.add(key);
            const child = `${at}.${key}`;
            walk.positions.set(child, walk.positionOf(pair.key));
            const value = toPlain(pair.value, child, walk);
            if (value !== SECRET) out[key] = value;
        }
        return out;
    }
    if (isSeq(node)) {
        const out: unknown[] = [];
        node.items.forEach((item, i) => {
            const child = `${at}[${i}]`;
            walk.positions.set(child, walk.positionOf(item));
            const value = toPlain(item, child, walk);
            if (value !== SECRET) out.push(value);
        });
        return out;
    }
    if (isScalar(node)) {
        if (typeof node.value === "number" && node.type === "PLAIN" && typeof node.source === "string") {
            return new NumberSource(node.value, node.source);
        }
        return node.value;
    }
    return node ?? null;
}

/**
 * An unquoted YAML number with its source text. parseStackConfig reads it as a number
 * where the schema wants one and as the written text where it wants a string.
 */
export class NumberSource {
    constructor(
        readonly value: number,
        readonly source: string,
    ) {}
    toJSON(): number {
        return this.value;
    }
}

/** The project name from Pulumi.yaml next to the stack file ("pinstack" when there is none). */
function projectNameNear(file: string): string {
    try {
        const text = fs.readFileSync(path.join(path.dirname(file), "Pulumi.yaml"), "utf8");
        const match = /^name:\s*['"]?([A-Za-z0-9_.-]+)/m.exec(text);
        return match ? match[1] : "pinstack";
    } catch {
        return "pinstack";
    }
}
