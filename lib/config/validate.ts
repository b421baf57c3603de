import type { ErrorObject, ValidateFunction } from "ajv";
import type { SourceLocation } from "../model";
import { NumberSource, TimeSource } from "./file";
import { pulumiNumberText } from "./pulumi-scalars";
import { ConfigPath, dottedKey } from "./keys";
import type { Locator } from "./locate";
import { knownTopLevelKeys, stackConfigSchema } from "./schema";
import { AJV_OPTIONS, schemaHash } from "./validator/options";

/** One thing wrong with a config, at one key. */
export interface ConfigProblem {
    readonly message: string;
    readonly location: SourceLocation;
}

let compiled: ValidateFunction | undefined;

/**
 * The validator: the one generated ahead of time (validator/compiled.ts) when it was made
 * from this very schema, else ajv compiles the schema now (correct, ~0.3 s slower; the
 * unit tests say to regenerate). Loaded lazily so commands that read no config skip it.
 */
export function validator(): ValidateFunction {
    if (!compiled) {
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        const generated = require("./validator/compiled") as { schemaHash: string; validate: ValidateFunction };
        if (generated.schemaHash === schemaHash(stackConfigSchema)) {
            compiled = generated.validate;
        } else {
            // eslint-disable-next-line @typescript-eslint/no-var-requires
            const Ajv = require("ajv").default as typeof import("ajv").default;
            compiled = new Ajv(AJV_OPTIONS).compile(stackConfigSchema);
        }
    }
    return compiled;
}

type SchemaNode = {
    type?: string;
    properties?: Record<string, SchemaNode>;
    additionalProperties?: SchemaNode | boolean;
    items?: SchemaNode;
};

/**
 * Replaces NumberSource and TimeSource leaves (unquoted numbers and times in a file): the
 * number where the schema wants one; where it wants a string, the written text, and a
 * problem in `retyped` when Pulumi would hand the program something else (a nested number
 * or any time; a top-level number whose text Pulumi writes differently). With `coerce`,
 * strings from Pulumi's config (which hands every value over as text) become the booleans,
 * integers and JSON objects the schema wants.
 */
export function resolveScalars(value: unknown, schema: SchemaNode | boolean | undefined, coerce: boolean, retyped: RetypedScalar[] = [], path: ConfigPath = []): unknown {
    const node = typeof schema === "object" ? schema : undefined;
    const depth = path.length;
    if (value instanceof NumberSource || value instanceof TimeSource) {
        if (node?.type !== "string") return value instanceof NumberSource ? value.value : value.source;
        const pulumiReads =
            value instanceof TimeSource ? "a time, which reaches the program as other text" :
            depth > 1 ? `the number ${pulumiNumberText(value.value)}, not text` :
            pulumiNumberText(value.value) !== value.source ? `the text "${pulumiNumberText(value.value)}"` :
            undefined;
        if (pulumiReads) retyped.push({ path, source: value.source, pulumiReads });
        return value.source;
    }
    // `pulumi config set pinstack:hold true` writes the string "true": the top-level scalar
    // keys that Pulumi.yaml types are read as Pulumi reads them, even from a file.
    const pulumiScalar = depth === 1 && (node?.type === "boolean" || node?.type === "integer");
    if ((coerce || pulumiScalar) && typeof value === "string" && node?.type && node.type !== "string") {
        value = coerceString(value, node.type);
    }
    if (Array.isArray(value)) return value.map((item, i) => resolveScalars(item, node?.items, coerce, retyped, [...path, i]));
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [key, child] of Object.entries(value)) {
            const childSchema = node?.properties?.[key] ?? (typeof node?.additionalProperties === "object" ? node.additionalProperties : undefined);
            out[key] = resolveScalars(child, childSchema, coerce, retyped, [...path, key]);
        }
        return out;
    }
    return value;
}

/** An unquoted scalar where a string belongs that Pulumi reads as something else. */
export interface RetypedScalar {
    readonly path: ConfigPath;
    readonly source: string;
    /** What the program gets instead, for the message. */
    readonly pulumiReads: string;
}

function coerceString(value: string, type: string): unknown {
    if (type === "boolean" && (value === "true" || value === "false")) return value === "true";
    if (type === "integer" && /^-?\d+$/.test(value)) return Number(value);
    if ((type === "object" || type === "array") && /^\s*[[{]/.test(value)) {
        try {
            return JSON.parse(value);
        } catch {
            return value;
        }
    }
    return value;
}

/** The schema for resolveScalars. */
export const rootSchema = stackConfigSchema as unknown as SchemaNode;

/** Validates the `pinstack:*` keys; returns every problem, sorted by line. */
export function validateAgainstSchema(config: Record<string, unknown>, locate: Locator, isSecret: (dottedKey: string) => boolean = () => false): ConfigProblem[] {
    const validate = validator();
    if (validate(config)) return [];
    const problems = (validate.errors ?? []).filter(notNoise).map((error) => toProblem(error, locate, isSecret));
    return dedupe(problems).sort((a, b) => a.location.line - b.location.line || a.location.column - b.location.column);
}

// A bad property name is reported twice: by the inner pattern (with `propertyName` set) and by propertyNames; keep the latter.
function notNoise(error: ErrorObject): boolean {
    return error.propertyName === undefined;
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
    const seen = new Set<string>();
    return problems.filter((p) => {
        const id = `${p.location.key}\u0000${p.message}`;
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
    });
}

function pathOf(instancePath: string): ConfigPath {
    if (instancePath === "") return [];
    return instancePath
        .slice(1)
        .split("/")
        .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
        .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function toProblem(error: ErrorObject, locate: Locator, isSecret: (dottedKey: string) => boolean): ConfigProblem {
    const at = pathOf(error.instancePath);
    const params = error.params as Record<string, unknown>;
    // A value that is or comes from a secret is named by its type only: a cut quote can still
    // carry most of a password, and Pulumi's masking only finds the whole decrypted text.
    const describe = isSecret(dottedKey(at)) ? describeSecret : describeValue;
    switch (error.keyword) {
        case "additionalProperties": {
            const extra = String(params.additionalProperty);
            const allowed = Object.keys((error.parentSchema as SchemaNode | undefined)?.properties ?? {});
            const suggestion = closest(extra, at.length === 0 ? knownTopLevelKeys : allowed);
            return {
                message: `unknown key '${extra}'${suggestion ? `; did you mean '${suggestion}'?` : allowed.length ? `; known keys: ${allowed.join(", ")}` : ""}`,
                location: locate([...at, extra]),
            };
        }
        case "required": {
            const missing = String(params.missingProperty);
            return { message: `'${missing}' is missing under ${dottedKey(at) || "config"}`, location: { ...locate(at), key: dottedKey([...at, missing]) } };
        }
        case "type": {
            const expected = String(params.type);
            // What Pulumi hands over for an unquoted `tag: 1.20` in the stack file (pinstack check names it first).
            const unquoted = expected === "string" && typeof error.data === "number" && !isSecret(dottedKey(at)) ? " (unquoted in the stack file? write it in quotes)" : "";
            return { message: `must be ${article(expected)}, not ${describe(error.data)}${unquoted}`, location: locate(at) };
        }
        case "enum": {
            const allowed = (params.allowedValues as unknown[]).map(String);
            return { message: `must be one of ${allowed.join(", ")}, not ${describe(error.data)}`, location: locate(at) };
        }
        case "pattern": {
            const hint = (error.parentSchema as { description?: string } | undefined)?.description;
            return { message: `${describe(error.data)} is not allowed here${hint ? `: ${hint}` : ""}`, location: locate(at) };
        }
        case "propertyNames": {
            const name = String(params.propertyName);
            return { message: `'${name}' is not a valid name here (lowercase letters, digits and '-', at most 63 characters)`, location: locate([...at, name]) };
        }
        case "minimum":
        case "maximum":
        case "minLength":
        case "minItems":
        case "maxLength":
            return { message: `${describe(error.data)} ${error.message ?? "is out of range"}`, location: locate(at) };
        default:
            return { message: error.message ?? `is not valid (${error.keyword})`, location: locate(at) };
    }
}

function describeSecret(value: unknown): string {
    const kind = value === null || value === undefined ? "empty" : Array.isArray(value) ? "a list" : typeof value === "object" ? "a mapping" : `a ${typeof value}`;
    return `a secret value (${kind}; not shown)`;
}

function article(type: string): string {
    const names: Record<string, string> = {
        string: "a string",
        boolean: "true or false",
        integer: "a whole number",
        number: "a number",
        object: "a mapping (key: value lines)",
        array: "a list",
    };
    return names[type] ?? `a ${type}`;
}

/** Describes a bad value for a message, quoting it; never used for a value that is or comes from a secret. */
function describeValue(value: unknown): string {
    if (value === null || value === undefined) return "empty";
    if (typeof value === "string") return `the string '${value.length > 60 ? `${value.slice(0, 57)}...` : value}'`;
    if (typeof value === "number" || typeof value === "boolean") return `${typeof value === "number" ? "the number" : "the boolean"} ${value}`;
    if (Array.isArray(value)) return "a list";
    return "a mapping";
}

/** The known key nearest to a misspelt one (edit distance <= 2), for "did you mean". */
function closest(word: string, candidates: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = 3;
    for (const candidate of candidates) {
        const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
        if (d < bestDistance) {
            best = candidate;
            bestDistance = d;
        }
    }
    return best;
}

function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let previous = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const current = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
            previous = current;
        }
    }
    return row[b.length];
}
