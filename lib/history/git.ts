import { spawnSync } from "child_process";
import * as path from "path";
import { badInput } from "../errors";

/**
 * A few read-only git queries, run through the git executable. Not a library (isomorphic-git,
 * simple-git): the commands are short, git is on every machine that has the repository, and
 * its own output is what people compare against.
 */

export interface GitResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs git in `dir` with no pager, prompts or user config that changes output formats. */
export function runGit(dir: string, args: readonly string[], input?: string): GitResult {
    const result = spawnSync("git", [...args], {
        cwd: dir,
        input,
        encoding: "utf8",
        maxBuffer: 1024 * 1024 * 1024,
        env: { ...process.env, GIT_PAGER: "cat", GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" },
    });
    if (result.error) {
        const code = (result.error as NodeJS.ErrnoException).code;
        throw badInput(code === "ENOENT" ? "git is not installed" : `cannot run git (${code ?? result.error.message})`, {
            fix: "install git; pinstack reads release history from the repository",
        });
    }
    return { code: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

/** Like runGit, but a non-zero exit is a bad-input error with git's own message. */
export function git(dir: string, args: readonly string[], input?: string): string {
    const result = runGit(dir, args, input);
    if (result.code !== 0) {
        throw badInput(`git ${args[0]} failed: ${firstLine(result.stderr) || `exit ${result.code}`}`, { fix: "run pinstack inside the project's git repository (or pass -C <dir>)" });
    }
    return result.stdout;
}

/** The top of the work tree holding `dir`; a bad-input error when `dir` is not in a git repository. */
export function repositoryRoot(dir: string): string {
    const result = runGit(dir, ["rev-parse", "--show-toplevel"]);
    if (result.code !== 0) {
        throw badInput(`${dir} is not inside a git repository`, {
            why: "release history comes from git: the stack files' commits and the release tags",
            fix: "run pinstack in the project's clone (or pass -C <dir>)",
        });
    }
    return result.stdout.trim();
}

/** The commit a ref names, or undefined when it names none. */
export function resolveCommit(dir: string, ref: string): string | undefined {
    if (ref.startsWith("-")) return undefined;
    const result = runGit(dir, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]);
    return result.code === 0 ? result.stdout.trim() : undefined;
}

/** Path of `file` relative to the repository root, with forward slashes (as git names it). */
export function repoPath(root: string, file: string): string {
    return path.relative(root, path.resolve(file)).split(path.sep).join("/");
}

/** The contents of several blobs (`<commit>:<path>`) in one git process; undefined for a missing one. */
export function readBlobs(dir: string, specs: readonly string[]): (string | undefined)[] {
    if (specs.length === 0) return [];
    const result = spawnSync("git", ["cat-file", "--batch"], {
        cwd: dir,
        input: specs.join("\n") + "\n",
        maxBuffer: 1024 * 1024 * 1024,
        env: { ...process.env, GIT_PAGER: "cat", LC_ALL: "C" },
    });
    if (result.error || result.status !== 0) throw badInput(`git cat-file failed: ${result.error?.message ?? firstLine(String(result.stderr))}`);
    const out: (string | undefined)[] = [];
    const buffer = result.stdout as Buffer;
    let offset = 0;
    for (let i = 0; i < specs.length; i++) {
        const newline = buffer.indexOf(0x0a, offset);
        const header = buffer.subarray(offset, newline).toString("utf8");
        offset = newline + 1;
        if (header.endsWith(" missing") || header.endsWith(" ambiguous")) {
            out.push(undefined);
            continue;
        }
        const size = Number(header.split(" ")[2]);
        out.push(buffer.subarray(offset, offset + size).toString("utf8"));
        offset += size + 1;
    }
    return out;
}

export function firstLine(text: string): string {
    return text.split("\n").find((l) => l.trim() !== "")?.trim() ?? "";
}
