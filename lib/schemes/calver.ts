import type { TagScheme, SchemeParse } from "./types";
import { compareNumbers, hasLeadingZero, parseOrThrow } from "./util";

/** A calendar version YYYY.MM.N. */
export interface CalverVersion {
    readonly value: string;
    readonly year: number;
    readonly month: number;
    /** The iteration within the month, from 1. */
    readonly iteration: number;
}

/**
 * Calendar versions `YYYY.MM.N` (Fragalysis: "2023.06.1 for the first release in June
 * 2023; the month is a 2-digit value with a leading zero"). Hand-written: semver cannot
 * express it (it refuses the zero-padded month) and no calver package checks real months.
 */
export const calver: TagScheme<CalverVersion> = {
    name: "calver",
    description: "calver YYYY.MM.N, month zero-padded, N from 1 (2023.06.1)",
    example: "2023.06.1",
    ordered: true,
    parse: parseCalver,
    compare(a, b) {
        const x = parseOrThrow(calver, a);
        const y = parseOrThrow(calver, b);
        return compareNumbers([x.year, x.month, x.iteration], [y.year, y.month, y.iteration]);
    },
    isPrerelease: () => false,
    hasBuildMetadata: () => false,
};

function parseCalver(value: string): SchemeParse<CalverVersion> {
    if (value === "") return { ok: false, error: "the version is empty" };
    if (/\s/.test(value)) return { ok: false, error: `'${value}' contains whitespace` };
    const parts = value.split(".");
    if (parts.length !== 3 || parts.some((p) => !/^\d+$/.test(p))) {
        return { ok: false, error: `'${value}' is not YYYY.MM.N, e.g. 2023.06.1` };
    }
    const [year, month, iteration] = parts;
    if (year.length !== 4 || year.startsWith("0")) return { ok: false, error: `the year '${year}' in '${value}' must be four digits, e.g. 2023` };
    if (month.length !== 2) {
        const suggestion = month.length === 1 ? `; write ${year}.0${month}.${iteration}` : "";
        return { ok: false, error: `the month '${month}' in '${value}' must be two digits, 01-12${suggestion}` };
    }
    const monthNumber = Number(month);
    if (monthNumber < 1 || monthNumber > 12) return { ok: false, error: `the month '${month}' in '${value}' is not a month (01-12)` };
    if (hasLeadingZero(iteration)) return { ok: false, error: `the iteration '${iteration}' in '${value}' has a leading zero; write ${year}.${month}.${Number(iteration)}` };
    if (Number(iteration) < 1) return { ok: false, error: `the iteration in '${value}' starts at 1, e.g. ${year}.${month}.1` };
    return { ok: true, version: { value, year: Number(year), month: monthNumber, iteration: Number(iteration) } };
}
