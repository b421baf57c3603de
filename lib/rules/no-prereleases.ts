import { looksLikePrerelease, prereleaseMarker, schemes } from "../schemes";
import type { PackagePin, SchemeName } from "../model";
import type { Finding, ImageSubject, Rule, RuleContext } from "./types";
import { describeImage } from "./types";

/** Whether a package version is a prerelease (release candidate, alpha, beta, dev) under PEP 440 or semver. */
export function isPrereleaseVersion(version: string): boolean {
    return looksLikePrerelease(version, ["pep440", "semver"]);
}

/**
 * A tag is a prerelease when it carries a prerelease marker (lib/schemes/prerelease.ts: `rc`,
 * `beta`, `dev`, `SNAPSHOT`, ... in any shape of tag), or when the scheme the service declares
 * says so (`1.4.2-alpine` is a prerelease of a service that declared semver). Without a
 * declared scheme only markers count: there `-alpine`, `-slim` and `-debian-12-r7` are image
 * variants, though semver would read them as prereleases.
 */
function tagIsPrerelease(tag: string, scheme: SchemeName | undefined): boolean {
    if (prereleaseMarker(tag)) return true;
    if (!scheme || scheme === "any") return false;
    const s = schemes[scheme];
    return s.isPrerelease(tag) || s.hasBuildMetadata(tag);
}

/** Rule `no-prereleases`: release candidates and build metadata only where the preset allows prereleases. */
export const noPrereleases: Rule = {
    id: "no-prereleases",
    description: "Release candidates, prereleases and build metadata only where the stack allows them (staging, not production).",
    image(image: ImageSubject, context: RuleContext): Finding[] {
        if (context.preset.allowPrereleases || !image.ref.tag) return [];
        if (!tagIsPrerelease(image.ref.tag, image.scheme)) return [];
        return [
            {
                subject: image.service ?? image.ref.name,
                location: image.tagLocation ?? image.location,
                message: `${describeImage(image)}: '${image.ref.tag}' is a prerelease; ${context.stack} takes final releases only: promote ${finalTagOf(image.ref.tag)} once it is tagged`,
            },
        ];
    },
    package(pkg: PackagePin, context: RuleContext): Finding[] {
        if (context.preset.allowPrereleases || !isPrereleaseVersion(pkg.version)) return [];
        return [
            {
                subject: pkg.name,
                location: pkg.fieldLocations?.version ?? pkg.location,
                message: `package ${pkg.name}: '${pkg.version}' is a release candidate or prerelease; ${context.stack} takes final releases only: release it (e.g. ${finalOf(pkg.version)}) and pin that`,
            },
        ];
    },
};

/** The final release a prerelease tag leads to (`1.4.2-rc.1` -> `1.4.2`, `10.8.5rc1` -> `10.8.5`, `v1.2rc1` -> `v1.2`), for messages. */
function finalTagOf(tag: string): string {
    const semverCore = /^(v?\d+\.\d+\.\d+)[-+]/.exec(tag);
    if (semverCore) return semverCore[1];
    const marker = prereleaseMarker(tag);
    const before = marker ? tag.slice(0, marker.index).replace(/[-._]+$/, "") : "";
    if (/\d/.test(before)) return before;
    const parsed = schemes.pep440.parse(tag);
    return parsed.ok ? (parsed.version as { release: number[] }).release.join(".") : "the final release";
}

function finalOf(version: string): string {
    const parsed = schemes.pep440.parse(version);
    return parsed.ok ? (parsed.version as { release: number[] }).release.join(".") : "the final version";
}
