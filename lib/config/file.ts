import * as fs from "fs";
import * as path from "path";
import { constructFromEvents, CORE_SCHEMA, defineScalarTag, floatCoreTag, intCoreTag, NOT_RESOLVED, parseEvents, YAMLException } from "js-yaml";
import type { Event } from "js-yaml";
import { badInput } from "../errors";
import { DuplicateKey, KeyOffsets, keyOffsets } from "./key-positions";
import { pulumiNumber, pulumiTime } from "./pulumi-scalars";
import { qualifyKey } from "./keys";
import { lineColumn, Locator, offsetLocator } from "./locate";
import { readLimitedText, stackFileLimit } from "./limits";

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
 * Reads a stack file. Throws a bad-input PinstackError
 * (exit 2) for a missing or unreadable file, one over the size limit (lib/config/limits), an empty file, malformed YAML (with its
 * line), or a file whose shape is not `config: {...}`.
 */
export function readStackFile(file: string, options: { project?: string } = {}): StackFile {
    const text = readLimitedText(file, stackFileLimit);
    if (text === null) throw badInput(`${file}: no such stack file`, { fix: "check the path, or pass the project directory with -C <dir>" });
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
    // js-yaml, not the `yaml` Document API used for edits: reading is every command's first
    // step and the Document parse cost ~1 s of CPU for three stacks of 1,000 services (see
    // BENCHMARKS.md, pinstack check); js-yaml builds the values for about a fifth of that,
    // and its events carry the source offsets for the messages that need a line.
    let events: Event[] | undefined;
    let documents: unknown[];
    try {
        events = parseEvents(text, { filename: file });
        documents = constructFromEvents(events, { source: text, filename: file, schema: STACK_SCHEMA });
    } catch (err) {
        // js-yaml refuses a repeated key too; pinstack's own pass names the key and the repeat.
        if (events) keyOffsetsOrDuplicate(file, text, events, project);
        throw malformed(file, text, err);
    }
    // Positions are found on the first message that needs one, from a second parse: a clean
    // run finds none, and not keeping the events alive spares the collector copying them.
    let located: Locator | undefined;
    const positions = (): Locator => {
        if (!located) {
            const found = keyOffsetsOrDuplicate(file, text, parseEvents(text, { filename: file }), project);
            located = offsetLocator(file, found.offsets, found.configOffset, lineColumn(text));
        }
        return located;
    };
    const locate: Locator = (key) => positions()(key);
    if (documents.length !== 1) {
        throw badInput(`the stack file holds ${documents.length} YAML documents; Pulumi reads one`, {
            fix: "remove the `---` separators and keep one document",
            location: where(1, 1),
        });
    }
    const root = documents[0];
    if (!isPlainObject(root)) {
        throw badInput("the stack file must be a YAML mapping with a config: key", { location: where(1, 1) });
    }
    const config = root.config;
    if (config === undefined || config === null) return { file, raw: {}, secretKeys: [], locate };
    if (!isPlainObject(config)) {
        const at = locate("config");
        throw badInput("config: must be a mapping of keys to values", { location: { ...at, key: "config" } });
    }
    const secretKeys: string[] = [];
    const raw: Record<string, unknown> = {};
    const seen = new Set<string>();
    for (const [written, value] of Object.entries(config)) {
        const key = qualifyKey(written, project);
        // `environment` and `pinstack:environment` are one key written twice.
        if (seen.has(key)) positions();
        seen.add(key);
        const plain = withoutSecrets(value, key, secretKeys);
        if (plain !== SECRET) raw[key] = plain;
    }
    return { file, raw, secretKeys, locate };
}

/** keyOffsets, with a repeated key turned into bad input at the repeat. */
function keyOffsetsOrDuplicate(file: string, text: string, events: readonly Event[], project: string): KeyOffsets {
    try {
        return keyOffsets(text, events, project);
    } catch (err) {
        if (!(err instanceof DuplicateKey)) throw err;
        const at = lineColumn(text)(err.offset);
        throw badInput(`malformed YAML: Map keys must be unique ('${err.key}' appears twice)`, {
            fix: "keep one of the two entries",
            location: { file, line: at.line, column: at.column, key: "" },
        });
    }
}

/**
 * A parse error as bad input at its line. The message comes from the `yaml` package when it
 * also refuses the text (its wording names the problem, e.g. a missing closing quote, where
 * js-yaml's often says only "bad indentation"); js-yaml's own is used otherwise. Errors
 * only: a valid file never pays for the second parse.
 */
function malformed(file: string, text: string, err: unknown): Error {
    if (!(err instanceof YAMLException)) return err as Error;
    // Loaded here, on the error path only: a clean read never needs the `yaml` package.
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { LineCounter, parseDocument } = require("yaml") as typeof import("yaml");
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
    const fix = "fix the YAML syntax at that line (indentation, quotes, brackets)";
    if (doc.errors.length > 0) {
        const first = doc.errors[0];
        const pos = lineCounter.linePos(first.pos[0]);
        const message = first.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
        return badInput(`malformed YAML: ${message}`, { fix, location: { file, line: pos.line, column: pos.col, key: "" } });
    }
    const mark = err.mark;
    return badInput(`malformed YAML: ${err.reason}`, { fix, location: { file, line: (mark?.line ?? 0) + 1, column: (mark?.column ?? 0) + 1, key: "" } });
}

const SECRET = Symbol("secret");

/**
 * Drops `secure:` values (recording their keys) so no code path can print them; an
 * encrypted value is a mapping with the single key `secure`. Works in place: the values
 * were just built from the text and nothing else holds them.
 */
function withoutSecrets(value: unknown, at: string, secretKeys: string[]): unknown {
    if (Array.isArray(value)) {
        let kept = 0;
        for (let i = 0; i < value.length; i++) {
            const plain = withoutSecrets(value[i], `${at}[${i}]`, secretKeys);
            if (plain !== SECRET) value[kept++] = plain;
        }
        value.length = kept;
        return value;
    }
    if (isPlainObject(value)) {
        const keys = Object.keys(value);
        if (keys.length === 1 && keys[0] === "secure") {
            secretKeys.push(at);
            return SECRET;
        }
        for (const key of keys) {
            const child = value[key];
            if (child === null || typeof child !== "object" || child instanceof NumberSource) continue;
            if (withoutSecrets(child, `${at}.${key}`, secretKeys) === SECRET) delete value[key];
        }
        return value;
    }
    return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof NumberSource) && !(value instanceof TimeSource);
}

/**
 * YAML 1.2 core types, except that unquoted numbers and times are read as the Pulumi CLI reads
 * them (lib/config/pulumi-scalars: `010` is 8, `1_000` is 1000, `2023-04-02` a time), each
 * keeping its source text: parseStackConfig takes the number where the schema wants one and
 * refuses, with the quoted form to write, a value whose text Pulumi would change where it
 * wants a string (`tag: 1.20` reaches the program as the number 1.2). An explicit tag
 * (`!!float 1.20`, `!!str 010`) is read as written.
 */
const pulumiNumberTag = defineScalarTag(intCoreTag.tagName, {
    implicit: true,
    implicitFirstChars: [..."-+.0123456789"],
    resolve: (source, explicit, tagName) => {
        if (explicit) return intCoreTag.resolve(source, explicit, tagName);
        const value = pulumiNumber(source);
        return value === undefined ? NOT_RESOLVED : new NumberSource(value, source);
    },
    identify: intCoreTag.identify,
});

// Implicit numbers are all resolved above; the float tag is left for explicit `!!float`.
const explicitFloatTag = defineScalarTag(floatCoreTag.tagName, {
    implicit: true,
    implicitFirstChars: [],
    resolve: (source, explicit, tagName) => (explicit ? floatCoreTag.resolve(source, explicit, tagName) : NOT_RESOLVED),
    identify: floatCoreTag.identify,
});

const pulumiTimeTag = defineScalarTag("tag:yaml.org,2002:timestamp", {
    implicit: true,
    implicitFirstChars: [..."0123456789"],
    resolve: (source, explicit) => (explicit || pulumiTime(source) ? new TimeSource(source) : NOT_RESOLVED),
    identify: (data) => data instanceof TimeSource,
});

/**
 * An unquoted YAML number: Pulumi's value for it, with its source text. parseStackConfig
 * reads it as a number where the schema wants one and refuses it where it wants a string,
 * unless Pulumi would hand over the same text.
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

/** An unquoted YAML time (`2023-05-03T08:00:00Z`): Pulumi turns it into other text (Go's time.String()). */
export class TimeSource {
    constructor(readonly source: string) {}
    toJSON(): string {
        return this.source;
    }
}

const STACK_SCHEMA = CORE_SCHEMA.withTags(pulumiTimeTag, pulumiNumberTag, explicitFloatTag);

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
