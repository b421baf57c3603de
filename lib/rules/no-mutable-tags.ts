import type { Finding, ImageSubject, Rule, RuleContext } from "./types";
import { describeImage } from "./types";

/**
 * Tags that name a moving target rather than a build: `latest`, branch names, and
 * channel names. Compared case-insensitively after trimming, so `Latest` and
 * `latest ` are caught too. `latest-*` / `*-latest` variants (latest-alpine) move as well.
 */
export const MUTABLE_TAG_NAMES: ReadonlySet<string> = new Set([
    "latest",
    "main",
    "master",
    "trunk",
    "develop",
    "development",
    "dev",
    "staging",
    "stage",
    "production",
    "prod",
    "release",
    "head",
    "stable",
    "edge",
    "nightly",
    "canary",
    "next",
    "unstable",
    "testing",
]);

/** Why `tag` is mutable, or undefined when it names a fixed build. A missing tag without a digest means `latest`. */
export function mutableTagReason(tag: string | undefined, digest?: string): string | undefined {
    if (tag === undefined || tag === "") {
        return digest ? undefined : "has no tag, which means 'latest'";
    }
    const normalized = tag.trim().toLowerCase();
    if (normalized !== tag) {
        if (MUTABLE_TAG_NAMES.has(normalized)) return `has the tag '${tag}', which is '${normalized}' in disguise`;
    }
    if (MUTABLE_TAG_NAMES.has(normalized)) {
        return normalized === "latest" ? "has the tag 'latest'" : `has the branch-like tag '${tag}'`;
    }
    if (/^latest[-_.]/.test(normalized) || /[-_.]latest$/.test(normalized)) return `has the tag '${tag}', a variant of 'latest'`;
    return undefined;
}

/** True for `latest`, branch-like and missing tags (see mutableTagReason). */
export function isMutableTag(tag: string | undefined, digest?: string): boolean {
    return mutableTagReason(tag, digest) !== undefined;
}

/** Rule `no-mutable-tags`: no latest, branch-like or missing tags (advisory where the preset allows mutable tags). */
export const noMutableTags: Rule = {
    id: "no-mutable-tags",
    description: "Images are pinned to a version tag, never latest, a branch name or no tag (allowed in playground only).",
    image(image: ImageSubject, context: RuleContext): Finding[] {
        const reason = mutableTagReason(image.ref.tag, image.ref.digest);
        if (!reason) return [];
        return [
            {
                subject: image.service ?? image.ref.name,
                location: image.tagLocation ?? image.location,
                level: context.preset.allowMutableTags ? "advisory" : undefined,
                message: `${describeImage(image)} ${reason}, a mutable tag that can point at a different image tomorrow; pin a version tag (e.g. 2023.06.1 or 1.4.2) built from a release`,
            },
        ];
    },
};
