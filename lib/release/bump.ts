import * as semver from "semver";
import { badInput } from "../errors";
import { schemes } from "../schemes";
import type { CalverVersion, Pep440Version, SemverVersion } from "../schemes";

/**
 * Next release versions, as the five runbooks make them:
 *   - semver major / minor / patch (METASPACE: minor for a milestone feature or a breaking
 *     API change, else patch; see `autoPart`),
 *   - release candidates and finals (UKRDC: 10.8.4 -> 10.8.5rc1 -> 10.8.5rc2 -> 10.8.5),
 *   - calendar versions (Fragalysis: 2023.06.1 -> 2023.06.2, or 2023.07.1 in a new month).
 * Parsing is left to lib/schemes so a version that `bump` accepts is one a pin accepts.
 */

export type BumpPart = "major" | "minor" | "patch" | "rc" | "final" | "calver";
export type BumpScheme = "semver" | "pep440" | "calver";

export const bumpParts: readonly BumpPart[] = ["major", "minor", "patch", "rc", "final", "calver"];
export const bumpSchemes: readonly BumpScheme[] = ["semver", "pep440", "calver"];

export interface BumpOptions {
    /** Scheme of `current`; detected when absent (see detectScheme). */
    readonly scheme?: BumpScheme;
    /** The clock for calver ("now"); injected so tests and reruns are reproducible. */
    readonly now?: Date;
}

export interface BumpResult {
    readonly from: string;
    readonly to: string;
    readonly part: BumpPart;
    readonly scheme: BumpScheme;
}

/** METASPACE's rule: a milestone feature or a backwards-incompatible API change bumps minor, anything else patch. */
export function autoPart(change: { milestone?: boolean; breaking?: boolean }): "minor" | "patch" {
    return change.milestone || change.breaking ? "minor" : "patch";
}

/**
 * Which scheme a written version follows. Calendar versions are recognised first (2023.06.1 is
 * not semver: the month is zero-padded). A plain X.Y.Z is semver, except for `rc` / `final`,
 * which are UKRDC's PEP 440 flow (10.8.4 -> 10.8.5rc1) unless the version already carries a
 * semver prerelease (`1.2.4-rc.1`).
 */
export function detectScheme(version: string, part?: BumpPart): BumpScheme {
    if (part === "calver" || isCalver(version)) return "calver";
    if (/^v?\d+\.\d+\.\d+-/.test(version) && schemes["semver-v"].parse(version).ok) return "semver";
    const plain = /^v?\d+\.\d+\.\d+$/.test(version);
    if (plain && part !== "rc" && part !== "final") return "semver";
    if (schemes.pep440.parse(version).ok) return "pep440";
    if (schemes["semver-v"].parse(version).ok) return "semver";
    throw badInput(`'${version}' is not a version pinstack can bump`, {
        why: schemes["semver-v"].parse(version).ok ? undefined : firstError(version),
        fix: "give a semver (1.7.5), PEP 440 (10.8.5rc1) or calver (2023.06.1) version, or name the scheme with --scheme",
    });
}

/** The version after `current`. Throws a bad-input PinstackError (exit 2) for an invalid version or a part the scheme has no meaning for. */
export function bumpVersion(current: string, part: BumpPart, options: BumpOptions = {}): BumpResult {
    if (!bumpParts.includes(part)) {
        throw badInput(`unknown part '${part}'`, { fix: `use one of ${bumpParts.join(", ")}` });
    }
    const scheme = options.scheme ?? detectScheme(current, part);
    const to =
        scheme === "calver" ? bumpCalver(current, part, options.now ?? new Date()) : scheme === "pep440" ? bumpPep440(current, part) : bumpSemver(current, part);
    return { from: current, to, part, scheme };
}

function bumpSemver(current: string, part: BumpPart): string {
    const parsed = schemes["semver-v"].parse(current);
    if (!parsed.ok) throw badInput(`'${current}' is not a semver version: ${parsed.error}`, { fix: "write MAJOR.MINOR.PATCH, e.g. 1.7.5" });
    const { version, vPrefix } = parsed.version as SemverVersion;
    const prefix = vPrefix ? current[0] : "";
    const base = version.version;
    let next: string | null;
    switch (part) {
        case "major":
        case "minor":
        case "patch":
            next = semver.inc(base, part);
            break;
        case "rc":
            // `1.2.3` -> `1.2.4-rc.1`; `1.2.4-rc.1` -> `1.2.4-rc.2`; another prerelease (`-beta.3`) -> `-rc.1`.
            if (version.prerelease.length > 0 && version.prerelease[0] !== "rc") {
                next = `${version.major}.${version.minor}.${version.patch}-rc.1`;
            } else {
                next = semver.inc(base, "prerelease", "rc", "1");
            }
            break;
        case "final":
            if (version.prerelease.length === 0) {
                throw badInput(`'${current}' is already a final release`, { fix: "use rc to start the next release candidate, or major/minor/patch" });
            }
            next = `${version.major}.${version.minor}.${version.patch}`;
            break;
        case "calver":
            throw badInput(`'${current}' is semver, not a calendar version`, { fix: "use major, minor or patch (or --scheme calver with a YYYY.MM.N version)" });
    }
    if (!next) throw badInput(`cannot bump '${current}' by ${part}`);
    return prefix + next;
}

function bumpPep440(current: string, part: BumpPart): string {
    const parsed = schemes.pep440.parse(current);
    if (!parsed.ok) throw badInput(`'${current}' is not a PEP 440 version: ${parsed.error}`, { fix: "write e.g. 10.8.5 or 10.8.5rc1" });
    const version = parsed.version as Pep440Version;
    const release = [...version.release];
    while (release.length < 3) release.push(0);
    const [major, minor] = release;
    const isPre = version.pre !== undefined || version.dev !== undefined;
    switch (part) {
        case "major":
            return `${major + 1}.0.0`;
        case "minor":
            return `${major}.${minor + 1}.0`;
        case "patch":
            // A prerelease's patch is its own final (as semver's inc does): 10.8.5rc1 -> 10.8.5.
            return isPre ? version.release.join(".") : withLastIncremented(version.release);
        case "rc":
            if (version.pre?.phase === "rc") return `${version.release.join(".")}rc${version.pre.number + 1}`;
            // An alpha, beta or dev release moves on to the first candidate of the same release.
            if (isPre) return `${version.release.join(".")}rc1`;
            return `${withLastIncremented(version.release)}rc1`;
        case "final":
            if (!isPre) throw badInput(`'${current}' is already a final release`, { fix: "use rc to start the next release candidate (10.8.4 -> 10.8.5rc1)" });
            return version.release.join(".");
        case "calver":
            throw badInput(`'${current}' is a PEP 440 version, not a calendar version`, { fix: "use rc, final, major, minor or patch" });
    }
}

function withLastIncremented(release: readonly number[]): string {
    const next = [...release];
    next[next.length - 1] += 1;
    return next.join(".");
}

function bumpCalver(current: string, part: BumpPart, now: Date): string {
    const parsed = schemes.calver.parse(current);
    if (!parsed.ok) throw badInput(`'${current}' is not a calendar version: ${parsed.error}`, { fix: "write YYYY.MM.N, e.g. 2023.06.1" });
    if (part !== "calver" && part !== "patch") {
        throw badInput(`calendar versions move with the clock, not by ${part}`, { fix: `use \`pinstack bump calver ${current}\`` });
    }
    const version = parsed.version as CalverVersion;
    if (Number.isNaN(now.getTime())) throw badInput("the date given is not a date", { fix: "write --date YYYY-MM-DD" });
    const year = now.getUTCFullYear();
    const month = now.getUTCMonth() + 1;
    const order = year * 12 + month - (version.year * 12 + version.month);
    if (order < 0) {
        throw badInput(`'${current}' is from ${version.year}-${pad(version.month)}, after the clock's ${year}-${pad(month)}`, {
            why: "a calendar version cannot go back in time",
            fix: "check the system clock, or pass --date YYYY-MM-DD",
        });
    }
    return order === 0 ? `${version.year}.${pad(version.month)}.${version.iteration + 1}` : `${year}.${pad(month)}.1`;
}

function isCalver(version: string): boolean {
    return schemes.calver.parse(version).ok;
}

function firstError(version: string): string {
    const parsed = schemes.pep440.parse(version);
    return parsed.ok ? "" : parsed.error;
}

function pad(n: number): string {
    return String(n).padStart(2, "0");
}

/** Parses `--date YYYY-MM-DD` (midnight UTC). Throws a bad-input PinstackError otherwise. */
export function parseDateOption(value: string): Date {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
    if (!match || !date || date.getUTCMonth() + 1 !== Number(match[2]) || date.getUTCDate() !== Number(match[3])) {
        throw badInput(`'${value}' is not a date`, { fix: "write YYYY-MM-DD, e.g. 2023-06-30" });
    }
    return date;
}

/** `YYYY-MM-DD` of a date in UTC. */
export function isoDate(date: Date): string {
    return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}
