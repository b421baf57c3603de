/**
 * METASPACE's "Update the release branch" step as a check that refuses instead of a command
 * sequence to remember:
 *
 *   git switch release && git merge master --ff-only   # release must not diverge from master
 *
 * `release` may only move by fast-forward to `master`: every commit on release must already be
 * on master (hotfixes are merged back into master first). Example code, not pinstack: no
 * pinstack command manages application branches. The place for it is a CI step before the
 * release tag (e.g. `pinstack ci release-branch --release release --onto master`), with the
 * exit codes pinstack uses: 0 moved (or already there), 1 refused (diverged), 2 bad input.
 *
 *   node -r ./scripts/register-ts.js examples/metaspace/release-branch.ts <repo> [release] [master]
 */
import { spawnSync } from "child_process";

export interface FastForward {
    /** "moved": release fast-forwarded; "up-to-date": release already is master. */
    readonly result: "moved" | "up-to-date";
    readonly from: string;
    readonly to: string;
}

/** Refused: release has commits master does not (exit 1). */
export class DivergedError extends Error {
    constructor(readonly release: string, readonly master: string, readonly commits: readonly string[]) {
        super(
            `${release} has ${commits.length} commit${commits.length === 1 ? "" : "s"} that ${master} does not (${commits.join("; ")}): ` +
                `merge ${release} into ${master} first (git switch ${master} && git merge ${release}), then fast-forward ${release}`,
        );
    }
}

/** Bad input: not a repository, unknown branch (exit 2). */
export class BadInputError extends Error {}

function git(dir: string, args: readonly string[]): { code: number; out: string; err: string } {
    const result = spawnSync("git", [...args], { cwd: dir, encoding: "utf8" });
    if (result.error) throw new BadInputError(`cannot run git: ${result.error.message}`);
    return { code: result.status ?? 1, out: result.stdout.trim(), err: result.stderr.trim() };
}

function commitOf(dir: string, branch: string): string {
    const result = git(dir, ["rev-parse", "--verify", "--quiet", `refs/heads/${branch}^{commit}`]);
    if (result.code !== 0) throw new BadInputError(`${dir}: no branch '${branch}'`);
    return result.out;
}

/**
 * Moves `release` to `master` if that is a fast-forward, without checking anything out (the
 * working tree is left alone); refuses with DivergedError otherwise.
 */
export function fastForwardRelease(dir: string, release = "release", master = "master"): FastForward {
    const from = commitOf(dir, release);
    const to = commitOf(dir, master);
    if (from === to) return { result: "up-to-date", from, to };
    if (git(dir, ["merge-base", "--is-ancestor", from, to]).code !== 0) {
        const ahead = git(dir, ["log", "--format=%h %s", `${to}..${from}`]).out.split("\n").filter((l) => l !== "");
        throw new DivergedError(release, master, ahead);
    }
    // update-ref with the old value: refuses if release moved since it was read.
    const update = git(dir, ["update-ref", "-m", `fast-forward ${release} to ${master}`, `refs/heads/${release}`, to, from]);
    if (update.code !== 0) throw new BadInputError(`cannot move ${release}: ${update.err}`);
    return { result: "moved", from, to };
}

if (require.main === module) {
    const [dir, release = "release", master = "master"] = process.argv.slice(2);
    try {
        if (!dir) throw new BadInputError("usage: release-branch.ts <repository> [release] [master]");
        const moved = fastForwardRelease(dir, release, master);
        process.stdout.write(`${release}: ${moved.result === "moved" ? `fast-forwarded ${moved.from.slice(0, 7)} -> ${moved.to.slice(0, 7)}` : `already at ${master}`}\n`);
    } catch (err) {
        process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = err instanceof DivergedError ? 1 : 2;
    }
}
