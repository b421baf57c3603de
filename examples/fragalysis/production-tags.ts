/**
 * Fragalysis' rule "the backend and frontend MUST have production-grade tags on their
 * production branches", as CI computes it before a production deploy: the tags reachable from
 * each repository's `production` branch, handed to pinstack's production-branch-tag rule (as the
 * policy pack's `productionBranchTags`, or a stack's `pinstack:gates.productionBranchTags`).
 * Example code: the repositories are the applications', which pinstack does not clone.
 */
import { spawnSync } from "child_process";

/** Tags reachable from `branch` in the repository at `dir`, sorted. Throws when git fails (no such branch). */
export function tagsOnBranch(dir: string, branch = "production"): string[] {
    const result = spawnSync("git", ["tag", "--merged", `refs/heads/${branch}`], { cwd: dir, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`git tag --merged ${branch} in ${dir}: ${result.stderr.trim()}`);
    return result.stdout.split("\n").map((t) => t.trim()).filter((t) => t !== "").sort();
}

/** `productionBranchTags` for the rule: image repository -> tags on its source repository's production branch. */
export function productionBranchTags(sources: Readonly<Record<string, string>>, branch = "production"): Record<string, string[]> {
    return Object.fromEntries(Object.entries(sources).map(([image, dir]) => [image, tagsOnBranch(dir, branch)]));
}
