import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { badInput, PinstackError, refused } from "../errors";

/**
 * All-or-nothing writes of several files (a stack file and the ledger, say).
 *
 * Each file is written to a temporary file in its own directory (so the rename cannot
 * cross file systems), flushed with fsync, then renamed over the original. Before anything
 * is renamed, every original must still hold exactly the text that was read: an editor or a
 * second pinstack that changed a file meanwhile makes the whole write refuse (exit 1) and
 * leaves every file as it was. If a rename fails part-way, the files already renamed are put
 * back from the text that was read, so a failure at any step leaves every file as it was.
 *
 * What remains: between the last content check and the rename there is a window of a few
 * microseconds where a concurrent writer can still lose its change; closing it needs a lock
 * every editor honours, which files on disk do not have.
 */

export interface FileChange {
    readonly file: string;
    /** The text read before the change; null when the file did not exist (it must still not exist). */
    readonly expected: string | null;
    /** The new text. */
    readonly text: string;
}

/** Test seams: called at the named step; throwing from one simulates a failure there. */
export interface TransactionHooks {
    /** After every temporary file is written and flushed, before any rename. */
    readonly beforeRename?: (file: string, index: number) => void;
    /** After the rename of file `index` succeeded. */
    readonly afterRename?: (file: string, index: number) => void;
}

/** Reads a file as text, or null when it does not exist. Bad input (exit 2) when it cannot be read. */
export function readTextOrNull(file: string): string | null {
    try {
        return fs.readFileSync(file, "utf8");
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "ENOENT") return null;
        throw badInput(`${file}: cannot read (${code ?? String(err)})`);
    }
}

/** Writes one file atomically; see writeFilesAtomically. */
export function writeFileAtomically(change: FileChange, hooks: TransactionHooks = {}): void {
    writeFilesAtomically([change], hooks);
}

/**
 * Writes every change or none. Refuses (exit 1) when a file no longer holds its expected text;
 * other failures (permissions, disk full) are reported with the file and leave every file as
 * it was.
 */
export function writeFilesAtomically(changes: readonly FileChange[], hooks: TransactionHooks = {}): void {
    const pending = changes.filter((c) => c.text !== c.expected);
    const temps: string[] = [];
    const renamed: FileChange[] = [];
    try {
        for (const change of pending) assertUnchanged(change);
        for (const change of pending) temps.push(writeTemporary(change));
        pending.forEach((change, i) => hooks.beforeRename?.(change.file, i));
        // Checked again as late as possible: a write can have landed while the temporaries were written.
        for (const change of pending) assertUnchanged(change);
        pending.forEach((change, i) => {
            fs.renameSync(temps[i], change.file);
            temps[i] = "";
            renamed.push(change);
            hooks.afterRename?.(change.file, i);
        });
        for (const dir of new Set(pending.map((c) => path.dirname(path.resolve(c.file))))) syncDirectory(dir);
    } catch (err) {
        for (const temp of temps) if (temp) removeQuietly(temp);
        const restoreFailures = restore(renamed);
        if (restoreFailures.length > 0) {
            throw new PinstackError(
                1,
                `a write failed part-way and ${restoreFailures.length} file(s) could not be put back: ${restoreFailures.join(", ")}`,
                err instanceof Error ? err.message : String(err),
                "restore those files from git (git checkout -- <file>) before retrying",
            );
        }
        if (err instanceof PinstackError) throw err;
        const code = (err as NodeJS.ErrnoException).code;
        throw refused(`could not write ${pending.map((c) => c.file).join(", ")} (${code ?? (err instanceof Error ? err.message : String(err))})`, {
            why: "the change is written all-or-nothing; every file was left as it was",
            fix: "check the directory's permissions and free space, then rerun",
        });
    }
}

function assertUnchanged(change: FileChange): void {
    const now = readTextOrNull(change.file);
    if (now === change.expected) return;
    throw refused(`${change.file} changed while pinstack was working on it`, {
        why:
            change.expected === null
                ? "it did not exist when pinstack started and exists now; writing would overwrite someone else's file"
                : "its content is no longer what pinstack read; writing would silently drop that other change",
        fix: "look at the file (git diff), then rerun the command; nothing was written",
    });
}

function writeTemporary(change: FileChange): string {
    const dir = path.dirname(path.resolve(change.file));
    const temp = path.join(dir, `.${path.basename(change.file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
    let mode = 0o644;
    try {
        mode = fs.statSync(change.file).mode & 0o777;
    } catch {
        // A new file gets the usual mode.
    }
    const fd = fs.openSync(temp, "wx", mode);
    try {
        fs.writeFileSync(fd, change.text, "utf8");
        fs.fsyncSync(fd);
    } catch (err) {
        fs.closeSync(fd);
        removeQuietly(temp);
        throw err;
    }
    fs.closeSync(fd);
    return temp;
}

/** Puts renamed files back; returns the files that could not be restored. */
function restore(renamed: readonly FileChange[]): string[] {
    const failed: string[] = [];
    for (const change of [...renamed].reverse()) {
        try {
            if (change.expected === null) {
                fs.rmSync(change.file, { force: true });
            } else {
                const temp = writeTemporary({ ...change, text: change.expected });
                fs.renameSync(temp, change.file);
            }
        } catch {
            failed.push(change.file);
        }
    }
    return failed;
}

/** Makes the renames durable; a directory fsync is not possible everywhere (it is best effort). */
function syncDirectory(dir: string): void {
    let fd: number | undefined;
    try {
        fd = fs.openSync(dir, "r");
        fs.fsyncSync(fd);
    } catch {
        // Some file systems refuse fsync on a directory; the rename itself is still atomic.
    } finally {
        if (fd !== undefined) fs.closeSync(fd);
    }
}

function removeQuietly(file: string): void {
    try {
        fs.rmSync(file, { force: true });
    } catch {
        // Best effort: a left-over temporary file is named after its target and harmless.
    }
}
