import * as fs from "fs";
import * as path from "path";
import { badInput, PinstackError, refused } from "../errors";
import { removeQuietly, replaceDurably, syncDirectory, temporaryPathFor, writeTemporary } from "./durable";
import { beginJournal, journalEntry } from "./journal";
import { readLimitedText, ReadLimit, stackFileLimit } from "./limits";
import { stepReached } from "./test-seam";

/**
 * All-or-nothing writes of several files (a stack file and the ledger, say).
 *
 * Each file is written to a temporary file in its own directory (so the rename cannot
 * cross file systems), flushed with fsync, then renamed over the original. Before anything
 * is renamed, every original must still hold exactly the text that was read: an editor or a
 * second pinstack that changed a file meanwhile makes the whole write refuse (exit 1) and
 * leaves every file as it was. If a rename fails part-way, the files already renamed are put
 * back from the text that was read, so a failure at any step leaves every file as it was.
 * A process killed part-way cannot put anything back itself: the recovery journal
 * (lib/config/journal.ts), written before the first temporary, lets the next pinstack command
 * complete or undo the write.
 *
 * A symlinked file is written through the link: its target is replaced and the link kept, so
 * every checkout that shares the target sees the change. A read-only file (no write bit) is
 * refused as bad input (exit 2) before anything is written: its mode says it is not to change.
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
    /** Where a recovered earlier write is reported (stderr by default). */
    readonly notify?: (line: string) => void;
}

/** Reads a file as text, or null when it does not exist. Bad input (exit 2) when it cannot be read or is over the limit (lib/config/limits). */
export function readTextOrNull(file: string, limit: ReadLimit = stackFileLimit): string | null {
    return readLimitedText(file, limit);
}

/** Writes one file atomically; see writeFilesAtomically. */
export function writeFileAtomically(change: FileChange, hooks: TransactionHooks = {}): void {
    writeFilesAtomically([change], hooks);
}

interface Target extends FileChange {
    /** The path the rename replaces: `file` with symlinks resolved. */
    readonly target: string;
}

/**
 * Writes every change or none. Refuses (exit 1) when a file no longer holds its expected text;
 * bad input (exit 2) for a read-only file; other failures (permissions, disk full) are reported
 * with the file and leave every file as it was.
 */
export function writeFilesAtomically(changes: readonly FileChange[], hooks: TransactionHooks = {}): void {
    const pending: Target[] = changes.filter((c) => c.text !== c.expected).map((c) => ({ ...c, target: writeTarget(c.file) }));
    if (pending.length === 0) return;
    for (const change of pending) assertUnchanged(change);
    const temps = pending.map((change) => temporaryPathFor(change.target));
    const journalDir = path.dirname(path.resolve(pending[0].file));
    const endJournal = beginJournal(
        journalDir,
        pending.map((change, i) => journalEntry(path.resolve(change.file), change.target, change.expected, change.text, temps[i])),
        hooks.notify ?? ((line) => process.stderr.write(`${line}\n`)),
    );
    const renamed: Target[] = [];
    try {
        pending.forEach((change, i) => {
            writeTemporary(temps[i], change.target, change.text);
            stepReached(`temp-${i}-written`);
        });
        pending.forEach((change, i) => hooks.beforeRename?.(change.file, i));
        // Checked again as late as possible: a write can have landed while the temporaries were written.
        for (const change of pending) assertUnchanged(change);
        pending.forEach((change, i) => {
            fs.renameSync(temps[i], change.target);
            temps[i] = "";
            renamed.push(change);
            stepReached(`rename-${i}-done`);
            hooks.afterRename?.(change.file, i);
        });
        for (const dir of new Set(pending.map((c) => path.dirname(c.target)))) syncDirectory(dir);
        stepReached("renames-done");
    } catch (err) {
        for (const temp of temps) if (temp) removeQuietly(temp);
        const restoreFailures = restore(renamed);
        if (restoreFailures.length > 0) {
            // The journal stays: the next pinstack command tries the recovery again.
            throw new PinstackError(
                1,
                `a write failed part-way and ${restoreFailures.length} file(s) could not be put back: ${restoreFailures.join(", ")}`,
                err instanceof Error ? err.message : String(err),
                "restore those files from git (git checkout -- <file>) before retrying",
            );
        }
        endJournal();
        if (err instanceof PinstackError) throw err;
        const code = (err as NodeJS.ErrnoException).code;
        throw refused(`could not write ${pending.map((c) => c.file).join(", ")} (${code ?? (err instanceof Error ? err.message : String(err))})`, {
            why: "the change is written all-or-nothing; every file was left as it was",
            fix: "check the directory's permissions and free space, then rerun",
        });
    }
    endJournal();
}

/**
 * The path a write of `file` replaces: the file itself, or the end of its symlink chain.
 * Bad input (exit 2) for a read-only file or a link that points nowhere.
 */
function writeTarget(file: string): string {
    let target: string;
    try {
        target = fs.realpathSync(file);
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw badInput(`${file}: cannot resolve the path (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
        let isLink = false;
        try {
            isLink = fs.lstatSync(file).isSymbolicLink();
        } catch {
            // Neither a file nor a link: a new file.
        }
        if (isLink) throw badInput(`${file} is a symbolic link to a file that does not exist`, { fix: `point the link at the file (ls -l ${file}), or remove the link` });
        return path.resolve(file);
    }
    // The owner's write bit, not access(2): root may write anything, and 0444 still says "do not change".
    const mode = fs.statSync(target).mode;
    let writable = (mode & 0o200) !== 0;
    if (writable) {
        try {
            fs.accessSync(target, fs.constants.W_OK);
        } catch {
            writable = false;
        }
    }
    if (!writable) {
        throw badInput(`${file}${target !== path.resolve(file) ? ` (-> ${target})` : ""} is read-only (mode ${(mode & 0o777).toString(8).padStart(4, "0")}); nothing was written`, {
            why: "a file without write permission is not meant to change, so pinstack does not replace it",
            fix: `make it writable (chmod u+w ${file}) if the change is wanted, then rerun`,
        });
    }
    return target;
}

function assertUnchanged(change: FileChange): void {
    if (holds(change.file, change.expected)) return;
    throw refused(`${change.file} changed while pinstack was working on it`, {
        why:
            change.expected === null
                ? "it did not exist when pinstack started and exists now; writing would overwrite someone else's file"
                : "its content is no longer what pinstack read; writing would silently drop that other change",
        fix: "look at the file (git diff), then rerun the command; nothing was written",
    });
}

/** Whether `file` holds exactly `expected` (null: does not exist); a file of another size is not read. */
function holds(file: string, expected: string | null): boolean {
    let size: number;
    try {
        size = fs.statSync(file).size;
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "ENOENT") return expected === null;
        throw badInput(`${file}: cannot read (${code ?? String(err)})`);
    }
    if (expected === null || size !== Buffer.byteLength(expected, "utf8")) return false;
    return fs.readFileSync(file, "utf8") === expected;
}

/** Puts renamed files back; returns the files that could not be restored. */
function restore(renamed: readonly Target[]): string[] {
    const failed: string[] = [];
    for (const change of [...renamed].reverse()) {
        try {
            if (change.expected === null) fs.rmSync(change.target, { force: true });
            else replaceDurably(change.target, change.expected);
        } catch {
            failed.push(change.file);
        }
    }
    return failed;
}
