import { spawnSync } from "child_process";
import { badInput } from "../errors";
import type { GateResult } from "./gate-result";

/**
 * The runbook gates a git repository answers: METASPACE's "release is a fast-forward of
 * master" and Fragalysis' "tags only from production branches". Read-only: nothing is moved,
 * so CI can run them on any checkout (with the branches fetched).
 */

function git(repo: string, args: readonly string[]): { code: number; out: string; err: string } {
    const result = spawnSync("git", ["-C", repo, ...args], { encoding: "utf8" });
    if (result.error) throw badInput(`cannot run git: ${result.error.message}`);
    return { code: result.status ?? 1, out: (result.stdout ?? "").trim(), err: (result.stderr ?? "").trim() };
}

function assertRepository(repo: string): void {
    const inside = git(repo, ["rev-parse", "--git-dir"]);
    if (inside.code !== 0) throw badInput(`--repo ${repo}: not a git repository`, { why: inside.err.split("\n")[0] || undefined, fix: "pass the directory of the application's clone" });
}

/**
 * A branch's commit: the local branch, else origin's (a CI checkout often has only
 * remote-tracking branches). Unknown is bad input: a gate must not pass on a typo.
 */
export function branchCommit(repo: string, branch: string): { ref: string; commit: string } {
    if (branch === "" || branch.startsWith("-")) throw badInput(`invalid branch name '${branch}'`);
    for (const ref of [`refs/heads/${branch}`, `refs/remotes/origin/${branch}`]) {
        const found = git(repo, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
        if (found.code === 0) return { ref, commit: found.out };
    }
    throw badInput(`${repo}: no branch '${branch}' (neither refs/heads/${branch} nor refs/remotes/origin/${branch})`, {
        fix: "fetch it first (actions/checkout with fetch-depth: 0, or git fetch origin <branch>)",
    });
}

function tagCommit(repo: string, tag: string): string {
    if (tag === "" || tag.startsWith("-")) throw badInput(`invalid tag name '${tag}'`);
    const found = git(repo, ["rev-parse", "--verify", "--quiet", `refs/tags/${tag}^{commit}`]);
    if (found.code !== 0) throw badInput(`${repo}: no tag '${tag}'`, { fix: "fetch tags first (git fetch --tags, or actions/checkout with fetch-tags: true)" });
    return found.out;
}

/** Whether `ancestor` is reachable from `descendant`; a git failure other than "no" is bad input. */
function isAncestor(repo: string, ancestor: string, descendant: string): boolean {
    const result = git(repo, ["merge-base", "--is-ancestor", ancestor, descendant]);
    if (result.code === 0) return true;
    if (result.code === 1) return false;
    throw badInput(`git merge-base --is-ancestor ${ancestor} ${descendant} in ${repo}: ${result.err}`);
}

const MAX_LISTED = 10;

/**
 * METASPACE: `release` may only move by fast-forward to `master`, so every commit on release
 * must already be on master (hotfixes are merged back first). Passed when release is master
 * or an ancestor of it; failed lists the commits release has that master does not.
 */
export function releaseBranchGate(repo: string, release: string, onto: string): GateResult {
    assertRepository(repo);
    const from = branchCommit(repo, release);
    const to = branchCommit(repo, onto);
    const source = { repository: repo, branch: release, onto, commit: from.commit, ontoCommit: to.commit };
    if (isAncestor(repo, from.commit, to.commit)) {
        const message = from.commit === to.commit ? `${release} is at ${onto} (${to.commit.slice(0, 12)})` : `${release} (${from.commit.slice(0, 12)}) fast-forwards to ${onto} (${to.commit.slice(0, 12)})`;
        return { gate: "release-branch", outcome: "passed", message, source, gates: {} };
    }
    const ahead = git(repo, ["log", "--format=%h %s", `${to.commit}..${from.commit}`]).out.split("\n").filter((l) => l !== "");
    // A long-diverged branch would make a message no one reads: the newest few, and how many more.
    const shown = ahead.length > MAX_LISTED ? [...ahead.slice(0, MAX_LISTED), `and ${ahead.length - MAX_LISTED} more`] : ahead;
    return {
        gate: "release-branch",
        outcome: "failed",
        message:
            `${release} has ${ahead.length} commit${ahead.length === 1 ? "" : "s"} that ${onto} does not (${shown.join("; ")}): ` +
            `merge ${release} into ${onto} first (git switch ${onto} && git merge ${release}), then fast-forward ${release}`,
        source,
        gates: {},
    };
}

/**
 * Fragalysis: the tag's commit is reachable from one of the named production branches. The
 * result feeds the production-branch-tag rule as `productionBranchTags` for `image`: the tag
 * when it passed, none when it failed (so the rule refuses the pin instead of not knowing).
 */
export function branchTagGate(repo: string, tag: string, branches: readonly string[], image: string): GateResult {
    if (branches.length === 0) throw badInput("give at least one --branch", { fix: "e.g. --branch production" });
    assertRepository(repo);
    const commit = tagCommit(repo, tag);
    const heads = branches.map((branch) => ({ branch, ...branchCommit(repo, branch) }));
    const on = heads.filter((h) => isAncestor(repo, commit, h.commit)).map((h) => h.branch);
    const source = { repository: repo, tag, commit, branch: branches.join(","), image };
    if (on.length > 0) {
        return { gate: "branch-tag", outcome: "passed", message: `tag ${tag} (${commit.slice(0, 12)}) is on ${on.join(", ")}`, source, gates: { productionBranchTags: { [image]: [tag] } } };
    }
    return {
        gate: "branch-tag",
        outcome: "failed",
        message: `tag ${tag} (${commit.slice(0, 12)}) is on none of ${branches.join(", ")}: tag a commit on the production branch and pin that tag`,
        source,
        gates: { productionBranchTags: { [image]: [] } },
    };
}
