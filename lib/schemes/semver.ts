// Subpath imports: the package's index loads every range and comparator module (~50 ms).
import type SemVer from "semver/classes/semver";
import compareSemver from "semver/functions/compare";
import parseSemverValue from "semver/functions/parse";
import type { SchemeName } from "../model";
import type { SchemeParse, TagScheme } from "./types";
import { hasLeadingZero, parseOrThrow } from "./util";

/** A strict semantic version as written. */
export interface SemverVersion {
    readonly value: string;
    readonly version: SemVer;
    /** The tag carried a leading `v` (only where the scheme allows it). */
    readonly vPrefix: boolean;
}

/**
 * Strict semver (semver.org 2.0.0): MAJOR.MINOR.PATCH, no leading zeros, no partial
 * versions. The `semver` package parses; the checks before it exist because its
 * strict mode still trims whitespace and accepts a leading `v` or `=`.
 */
export function semverScheme(options: { allowV: boolean; name: SchemeName }): TagScheme<SemverVersion> {
    const scheme: TagScheme<SemverVersion> = {
        name: options.name,
        description: options.allowV ? "semver with an optional v prefix (v1.4.2, 1.4.2-rc.1)" : "strict semver MAJOR.MINOR.PATCH (1.4.2, 1.4.2-rc.1)",
        example: options.allowV ? "v1.4.2" : "1.4.2",
        ordered: true,
        parse: (value) => parseSemver(value, options.allowV),
        compare: (a, b) => compareSemver(parseOrThrow(scheme, a).version, parseOrThrow(scheme, b).version),
        isPrerelease: (value) => {
            const parsed = scheme.parse(value);
            return parsed.ok && parsed.version.version.prerelease.length > 0;
        },
        hasBuildMetadata: (value) => {
            const parsed = scheme.parse(value);
            return parsed.ok && parsed.version.version.build.length > 0;
        },
    };
    return scheme;
}

function parseSemver(value: string, allowV: boolean): SchemeParse<SemverVersion> {
    if (value === "") return { ok: false, error: "the version is empty" };
    if (/\s/.test(value)) return { ok: false, error: `'${value}' contains whitespace` };
    let body = value;
    const vPrefix = /^[vV]/.test(value);
    if (vPrefix) {
        if (!allowV) return { ok: false, error: `'${value}' has a 'v' prefix; write ${value.slice(1)} (or declare scheme semver-v)` };
        body = value.slice(1);
    }
    if (body.startsWith("=")) return { ok: false, error: `'${value}' starts with '='; write the bare version` };
    const core = body.split(/[-+]/, 1)[0];
    const parts = core.split(".");
    if (parts.length !== 3 || parts.some((p) => !/^\d+$/.test(p))) {
        if (parts.every((p) => /^\d+$/.test(p)) && parts.length < 3) {
            return { ok: false, error: `'${value}' is a partial version; semver needs MAJOR.MINOR.PATCH, e.g. ${[...parts, "0", "0"].slice(0, 3).join(".")}` };
        }
        return { ok: false, error: `'${value}' is not MAJOR.MINOR.PATCH with numbers, e.g. 1.4.2` };
    }
    const zeroPadded = parts.find(hasLeadingZero);
    if (zeroPadded !== undefined) {
        return { ok: false, error: `'${value}' has a leading zero in '${zeroPadded}'; write ${parts.map((p) => String(Number(p))).join(".")}` };
    }
    const version = parseSemverValue(body, { loose: false });
    if (!version) {
        return { ok: false, error: `'${value}' has an invalid prerelease or build part; e.g. 1.4.2-rc.1 or 1.4.2+build.5 (no leading zeros in numeric parts)` };
    }
    return { ok: true, version: { value, version, vPrefix } };
}

/** `semver`: strict, no `v`. */
export const semverStrict = semverScheme({ allowV: false, name: "semver" });
/** `semver-v`: strict, with an optional `v` (GWCelery tags vMAJOR.MINOR.PATCH). */
export const semverWithV = semverScheme({ allowV: true, name: "semver-v" });
