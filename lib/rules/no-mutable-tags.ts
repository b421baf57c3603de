import type { Finding, ImageSubject, Rule, RuleContext } from "./types";
import { describeImage } from "./types";

/**
 * Tags that name a moving target rather than a build: `latest`, branch names, and
 * channel names, and (branchLikeReason) tags with no digit or made from a branch's name. Compared case-insensitively after trimming, so `Latest` and
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

/**
 * First words of the tags CI makes from branch names (`feature/login` -> `feature-login`,
 * `release/1.2` -> `release-1.2`, pull request 42 -> `pr-42`), besides the names above.
 */
const BRANCH_PREFIXES: ReadonlySet<string> = new Set(["feature", "feat", "fix", "bugfix", "hotfix", "release", "releases", "support", "pr", "mr", "branch", "wip", ...MUTABLE_TAG_NAMES]);
/** A commit hash as the last part of a tag: `main-3f2a9c1` is one build of main. */
const ENDS_IN_COMMIT = /[-_.](?=[0-9a-f]*\d)[0-9a-f]{7,40}$/;
/** What follows `release-` in the tag of one release rather than of a release branch: a full version. */
const FULL_VERSION = /^v?\d+(\.\d+){2,}$/;
/** A commit hash alone, which may happen to have no digit (`deadbee`). */
const COMMIT = /^[0-9a-f]{7,40}$/;

/**
 * Why a tag reads as a branch rather than a build, or undefined. A tag without any digit names
 * no version or build (`my-feature-branch`, `bookworm-slim`: each new push moves it), unless it
 * is a commit hash; a tag that starts with a branch word and a separator (`release-1.2`,
 * `feature-login`, `pr-42`, `main-2`) names a branch or a pull request, unless it ends in the
 * commit it was built from (`main-3f2a9c1`) or is one release's tag (`release-2023.06.1`, a
 * full version after the word: a release branch is `release-1.2`).
 */
function branchLikeReason(tag: string): string | undefined {
    const normalized = tag.toLowerCase();
    if (!/\d/.test(normalized) && !COMMIT.test(normalized)) return `has the branch-like tag '${tag}', which names no version or build`;
    const first = /^([a-z]+)[-_.]/.exec(normalized);
    if (first && BRANCH_PREFIXES.has(first[1]) && !ENDS_IN_COMMIT.test(normalized) && !FULL_VERSION.test(normalized.slice(first[0].length))) {
        return `has the branch-like tag '${tag}', which names a branch (${first[1]}-…), not a build`;
    }
    return undefined;
}

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
    return branchLikeReason(tag);
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
