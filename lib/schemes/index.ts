import type { SchemeName } from "../model";
import { any } from "./any";
import { calver } from "./calver";
import { commit } from "./commit";
import { pep440 } from "./pep440";
import { semverStrict, semverWithV } from "./semver";
import type { TagScheme } from "./types";

export { CalverVersion } from "./calver";
export { CommitVersion } from "./commit";
export { comparePep440, finalReleaseOf, Pep440Phase, Pep440Version } from "./pep440";
export { hasPrereleaseMarker, PrereleaseMarker, prereleaseMarker } from "./prerelease";
export { SemverVersion } from "./semver";
export { SchemeParse, TagScheme } from "./types";

/** Every tag scheme by name (the registry a service's `scheme:` picks from). */
export const schemes: Readonly<Record<SchemeName, TagScheme>> = {
    "semver": semverStrict,
    "semver-v": semverWithV,
    "calver": calver,
    "commit": commit,
    "pep440": pep440,
    "any": any,
};

/** Scheme names in the order help text lists them. */
export const schemeNames = Object.keys(schemes) as SchemeName[];

/** True when `name` is a registered scheme. */
export function isSchemeName(name: string): name is SchemeName {
    return Object.prototype.hasOwnProperty.call(schemes, name);
}

/** The scheme called `name`; undefined when there is none. */
export function schemeFor(name: string): TagScheme | undefined {
    return isSchemeName(name) ? schemes[name] : undefined;
}

/**
 * Whether `value` reads as a prerelease under any of `names` that parse it. Used where
 * no scheme is declared (verify-image without --service): `1.2.3-rc.1` and `10.8.5rc1`
 * are release candidates whichever scheme the service turns out to use.
 */
export function looksLikePrerelease(value: string, names: readonly SchemeName[] = schemeNames): boolean {
    return names.some((name) => {
        const scheme = schemes[name];
        return scheme.parse(value).ok && (scheme.isPrerelease(value) || scheme.hasBuildMetadata(value));
    });
}
