import { createHash } from "crypto";

/** First `length` hex digits of sha256 over the JSON of `value` (keys in the order given). */
export function shortHash(value: unknown, length = 8): string {
    return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, length);
}

/**
 * `<base>-<suffix>` cut to 63 characters (a DNS label, which Job and pod names must be),
 * keeping the suffix whole: it is the part that makes the name unique.
 */
export function kubernetesName(base: string, suffix: string): string {
    const room = 63 - suffix.length - 1;
    return `${base.slice(0, room).replace(/-+$/, "")}-${suffix}`;
}
