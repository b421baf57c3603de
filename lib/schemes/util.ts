import { badInput } from "../errors";
import type { SchemeParse, TagScheme } from "./types";

/** Parses or throws a bad-input error naming the scheme; shared by every compare(). */
export function parseOrThrow<T>(scheme: Pick<TagScheme<T>, "name" | "parse">, value: string): T {
    const parsed: SchemeParse<T> = scheme.parse(value);
    if (!parsed.ok) throw badInput(`'${value}' is not a ${scheme.name} version: ${parsed.error}`);
    return parsed.version;
}

/** Compares two number lists, the shorter padded with zeros. */
export function compareNumbers(a: readonly number[], b: readonly number[]): number {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
        const d = (a[i] ?? 0) - (b[i] ?? 0);
        if (d !== 0) return d;
    }
    return 0;
}

/** A leading-zero number such as "01" (but not "0"). */
export function hasLeadingZero(digits: string): boolean {
    return digits.length > 1 && digits.startsWith("0");
}
