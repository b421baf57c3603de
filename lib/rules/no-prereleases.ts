import { looksLikePrerelease, schemes } from "../schemes";
import type { PackagePin, SchemeName } from "../model";
import type { Finding, ImageSubject, Rule, RuleContext } from "./types";
import { describeImage } from "./types";

/** Whether a package version is a prerelease (release candidate, alpha, beta, dev) under PEP 440 or semver. */
export function isPrereleaseVersion(version: string): boolean {
    return looksLikePrerelease(version, ["pep440", "semver"]);
}

function tagIsPrerelease(tag: string, scheme: SchemeName | undefined, context: RuleContext): boolean {
    if (scheme && scheme !== "any") {
        const s = schemes[scheme];
        return s.isPrerelease(tag) || s.hasBuildMetadata(tag);
    }
    // No scheme to go by: a prerelease under any scheme the stack allows counts.
    return looksLikePrerelease(tag, context.preset.allowedSchemes.filter((name) => name !== "any"));
}

/** Rule `no-prereleases`: release candidates and build metadata only where the preset allows prereleases. */
export const noPrereleases: Rule = {
    id: "no-prereleases",
    description: "Release candidates, prereleases and build metadata only where the stack allows them (staging, not production).",
    image(image: ImageSubject, context: RuleContext): Finding[] {
        if (context.preset.allowPrereleases || !image.ref.tag) return [];
        if (!tagIsPrerelease(image.ref.tag, image.scheme, context)) return [];
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

/** The final release a prerelease tag leads to (`1.4.2-rc.1` -> `1.4.2`, `10.8.5rc1` -> `10.8.5`), for messages. */
function finalTagOf(tag: string): string {
    const semverCore = /^(v?\d+\.\d+\.\d+)[-+]/.exec(tag);
    if (semverCore) return semverCore[1];
    const parsed = schemes.pep440.parse(tag);
    return parsed.ok ? (parsed.version as { release: number[] }).release.join(".") : "the final release";
}

function finalOf(version: string): string {
    const parsed = schemes.pep440.parse(version);
    return parsed.ok ? (parsed.version as { release: number[] }).release.join(".") : "the final version";
}
