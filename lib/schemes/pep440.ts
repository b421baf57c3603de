import type { SchemeParse, TagScheme } from "./types";
import { compareNumbers, hasLeadingZero, parseOrThrow } from "./util";

/** The prerelease phases PEP 440 knows, lowest first. */
export type Pep440Phase = "a" | "b" | "rc";

/** A Python package version: release, optional prerelease, post and dev parts. */
export interface Pep440Version {
    readonly value: string;
    readonly release: readonly number[];
    readonly pre?: { readonly phase: Pep440Phase; readonly number: number };
    readonly post?: number;
    readonly dev?: number;
    /** The normalised spelling, e.g. `10.8.5.RC1` -> `10.8.5rc1`. */
    readonly normalized: string;
}

const PHASES: Record<string, Pep440Phase> = { a: "a", alpha: "a", b: "b", beta: "b", c: "rc", rc: "rc", pre: "rc", preview: "rc" };

// PEP 440's spelling rules: prerelease, post and dev parts with optional separators
// (., -, _) and optional numbers, case-insensitive. Epochs and local versions are
// refused: neither belongs in a release pin.
const PEP440 = /^(\d+(?:\.\d+)*)(?:[-_.]?(alpha|beta|preview|pre|rc|a|b|c)[-_.]?(\d+)?)?(?:(?:-(\d+))|(?:[-_.]?(post|rev|r)[-_.]?(\d+)?))?(?:[-_.]?(dev)[-_.]?(\d+)?)?$/i;

/**
 * Python-style versions for package pins (UKRDC: 10.8.5.RC1 -> 10.8.5): `10.8.5rc1`,
 * `10.8.5.RC1` and `10.8.5-rc.1` are all the first release candidate of 10.8.5.
 * Hand-written: the npm PEP 440 ports are unmaintained; only this subset is needed.
 */
export const pep440: TagScheme<Pep440Version> = {
    name: "pep440",
    description: "Python version with release candidates (10.8.5, 10.8.5rc1, 10.8.5.RC1, 10.8.5-rc.1)",
    example: "10.8.5",
    ordered: true,
    parse: parsePep440,
    compare(a, b) {
        return comparePep440(parseOrThrow(pep440, a), parseOrThrow(pep440, b));
    },
    isPrerelease(value) {
        const parsed = parsePep440(value);
        return parsed.ok && (parsed.version.pre !== undefined || parsed.version.dev !== undefined);
    },
    hasBuildMetadata: () => false,
};

/** Orders two parsed versions as PEP 440 does: dev < pre (a < b < rc) < final < post. */
export function comparePep440(x: Pep440Version, y: Pep440Version): number {
    const release = compareNumbers(x.release, y.release);
    if (release !== 0) return release;
    const rank = (v: Pep440Version): number[] => {
        // A dev release of the final version sorts before all its prereleases.
        const pre = v.pre ? [["a", "b", "rc"].indexOf(v.pre.phase), v.pre.number] : v.dev !== undefined && v.post === undefined ? [-Infinity, 0] : [Infinity, 0];
        const post = v.post === undefined ? -Infinity : v.post;
        const dev = v.dev === undefined ? Infinity : v.dev;
        return [...pre, post, dev];
    };
    const [a, b] = [rank(x), rank(y)];
    for (let i = 0; i < a.length; i++) {
        if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    }
    return 0;
}

function parsePep440(value: string): SchemeParse<Pep440Version> {
    if (value === "") return { ok: false, error: "the version is empty" };
    if (/\s/.test(value)) return { ok: false, error: `'${value}' contains whitespace` };
    if (value.includes("!")) return { ok: false, error: `'${value}' has an epoch; pins do not use epochs` };
    if (value.includes("+")) return { ok: false, error: `'${value}' has a local version label; pin a published version` };
    if (/^[vV]/.test(value)) return { ok: false, error: `'${value}' has a 'v' prefix; write ${value.slice(1)}` };
    const m = PEP440.exec(value);
    if (!m) return { ok: false, error: `'${value}' is not a version like 10.8.5 or 10.8.5rc1` };
    const releaseParts = m[1].split(".");
    const zeroPadded = releaseParts.find(hasLeadingZero);
    if (zeroPadded !== undefined) {
        return { ok: false, error: `'${value}' has a leading zero in '${zeroPadded}'; write ${releaseParts.map((p) => String(Number(p))).join(".")}` };
    }
    const release = releaseParts.map(Number);
    const pre = m[2] ? { phase: PHASES[m[2].toLowerCase()], number: Number(m[3] ?? 0) } : undefined;
    const post = m[4] !== undefined ? Number(m[4]) : m[5] ? Number(m[6] ?? 0) : undefined;
    const dev = m[7] ? Number(m[8] ?? 0) : undefined;
    const normalized =
        release.join(".") + (pre ? `${pre.phase}${pre.number}` : "") + (post !== undefined ? `.post${post}` : "") + (dev !== undefined ? `.dev${dev}` : "");
    return { ok: true, version: { value, release, pre, post, dev, normalized } };
}

/** The final release a prerelease leads to: `10.8.5rc1` -> `10.8.5`. */
export function finalReleaseOf(version: Pep440Version): string {
    return version.release.join(".");
}
