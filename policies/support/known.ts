import { UnknownValueError } from "@pulumi/policy";

/**
 * Reading resource properties that may be unknown during preview.
 *
 * @pulumi/policy hands policies a proxy that throws UnknownValueError when an unknown value is
 * read; left uncaught, the SDK turns that into an *advisory* "can't run policy during preview"
 * note, so a mandatory rule would pass silently. Every read goes through `field` instead, which
 * turns the throw into the UNKNOWN marker, and each policy decides what an unknown means for
 * it (fail closed where the value matters).
 */

/** A value Pulumi cannot know yet (computed by another resource, or a digest still to resolve). */
export const UNKNOWN: unique symbol = Symbol("unknown during preview");
export type Unknown = typeof UNKNOWN;

export function isUnknown(value: unknown): value is Unknown {
    return value === UNKNOWN;
}

// The sentinels @pulumi/policy's deserializer writes where a value is unknown (internal to the
// SDK, so not in its typings). Reading them directly lets `unwrap`ped props be walked without
// the SDK's proxy, which copies the whole property path on every read it intercepts: a walk of
// a deep resource through it would cost the square of its depth.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const proxyModule = require("@pulumi/policy/proxy") as Record<string, unknown>;
const SENTINELS: ReadonlySet<unknown> = new Set(
    ["unknownBooleanValue", "unknownNumberValue", "unknownStringValue", "unknownArrayValue", "unknownAssetValue", "unknownArchiveValue", "unknownObjectValue"].map((name) => {
        const value = proxyModule[name];
        if (typeof value !== "string") throw new Error(`@pulumi/policy/proxy no longer exports ${name}; policies/support/known.ts must learn how it marks unknown values`);
        return value;
    }),
);
const PROXY_TARGET = proxyModule.getSpecialProxyTarget;
if (typeof PROXY_TARGET !== "string") throw new Error("@pulumi/policy/proxy no longer exports getSpecialProxyTarget; policies/support/known.ts must learn how to unwrap props");

/**
 * The plain value under the SDK's unknown-checking proxy (the value itself when it is not
 * proxied). Read it with `field` and `elements`, which recognise the unknown sentinels.
 */
export function unwrap(value: unknown): unknown {
    if (value === null || typeof value !== "object") return value;
    const target = (value as Record<string, unknown>)[PROXY_TARGET as string];
    return target !== undefined && target !== null && typeof target === "object" ? target : value;
}

/** `obj[key]`, or UNKNOWN when the SDK says it is unknown, or undefined when `obj` is not an object. */
export function field(obj: unknown, key: string | number): unknown {
    if (obj === null || typeof obj !== "object" || isUnknown(obj)) return isUnknown(obj) ? UNKNOWN : undefined;
    try {
        const value = (obj as Record<string | number, unknown>)[key];
        return SENTINELS.has(value) ? UNKNOWN : value;
    } catch (err) {
        if (err instanceof UnknownValueError) return UNKNOWN;
        throw err;
    }
}

/** Follows `keys` from `obj`; stops at the first UNKNOWN or missing value. */
export function path(obj: unknown, keys: readonly (string | number)[]): unknown {
    let value = obj;
    for (const key of keys) {
        value = field(value, key);
        if (value === undefined || isUnknown(value)) return value;
    }
    return value;
}

/** A string-valued map (labels, annotations, selectors) read entry by entry; the map itself may be unknown. */
export type StringMap = Readonly<Record<string, string | Unknown>>;

export function stringMap(obj: unknown): StringMap | Unknown {
    if (isUnknown(obj)) return UNKNOWN;
    if (obj === null || typeof obj !== "object") return {};
    const out: Record<string, string | Unknown> = {};
    for (const key of Object.keys(obj)) {
        const value = field(obj, key);
        if (isUnknown(value)) out[key] = UNKNOWN;
        else if (typeof value === "string") out[key] = value;
        else if (value !== undefined && value !== null) out[key] = String(value);
    }
    return out;
}

/** One entry of a map that may itself be unknown. */
export function entry(map: StringMap | Unknown, key: string): string | Unknown | undefined {
    return isUnknown(map) ? UNKNOWN : map[key];
}

/** Array elements with their index; UNKNOWN when the array is. Non-arrays give no elements. */
export function elements(value: unknown): unknown[] | Unknown {
    if (isUnknown(value) || SENTINELS.has(value)) return UNKNOWN;
    if (!Array.isArray(value)) return [];
    const out: unknown[] = [];
    const length = field(value, "length");
    if (typeof length !== "number") return UNKNOWN;
    for (let i = 0; i < length; i++) out.push(field(value, i));
    return out;
}
