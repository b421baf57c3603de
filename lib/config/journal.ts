import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { PinstackError, refused } from "../errors";
import { processAlive, removeQuietly, replaceDurably, syncDirectory, temporaryOwner, temporaryPathFor, textOrNull } from "./durable";
import { stepReached } from "./test-seam";

/**
 * The recovery journal of a multi-file write (lib/config/atomic.ts).
 *
 * Renames are atomic one file at a time, not as a pair: a process killed between renaming the
 * stack file and the ledger leaves a new stack file beside an old ledger. So before the first
 * temporary file is written, the write records in `.pinstack-journal.json`, next to the stack
 * files, what it is about to do: for each file the path it writes (symlinks resolved), the old
 * text and its sha256, the new text's sha256, and the temporary file the new text goes to. The
 * journal is written to its own temporary and hard-linked into place, so it is either absent
 * or complete, and linking fails when another writer's journal is there.
 *
 * The next pinstack command (cli/main.ts runs recovery before every command) finds the journal
 * of a writer that is no longer running and makes the files a consistent set again:
 * - once any file holds its new text, the write had passed every check and begun to land: the
 *   rest is completed from the temporaries, if each still holds its new text;
 * - otherwise (nothing renamed yet, or a temporary lost) every file that holds its new text is
 *   put back to the old text from the journal, and a file that did not exist is removed;
 * - a file that holds neither its old nor its new text was changed by someone since: nothing
 *   is touched, the journal stays, and the command refuses (exit 1) naming the file.
 * Then the temporaries of writers that are no longer running are removed, and the journal.
 */

export const JOURNAL_FILE = ".pinstack-journal.json";

export interface JournalEntry {
    /** The file as the command named it, made absolute (for messages, from wherever the next command runs). */
    readonly file: string;
    /** The absolute path written: a symlink's target. */
    readonly target: string;
    /** The text before the write; null when the file did not exist. */
    readonly old: string | null;
    readonly oldSha256: string | null;
    readonly newSha256: string;
    /** Where the new text is written before its rename. */
    readonly temp: string;
}

interface Journal {
    readonly version: 1;
    readonly pid: number;
    readonly started: string;
    readonly entries: readonly JournalEntry[];
}

/** What recovery did, one line for stderr; undefined when there was nothing to recover. */
export interface Recovery {
    readonly action: "completed" | "rolled back" | "cleaned up";
    readonly message: string;
}

export function journalPath(dir: string): string {
    return path.join(dir, JOURNAL_FILE);
}

export function sha256(text: string): string {
    return createHash("sha256").update(text, "utf8").digest("hex");
}

/** A journal entry for writing `text` over `target` (whose text now is `old`) through `temp`. */
export function journalEntry(file: string, target: string, old: string | null, text: string, temp: string): JournalEntry {
    return { file, target, old, oldSha256: old === null ? null : sha256(old), newSha256: sha256(text), temp };
}

/**
 * Records a write before it touches anything. Refuses (exit 1) when another pinstack that is
 * still running is writing in `dir`; an interrupted write found there is recovered first.
 * Returns the function that ends the write (removes the journal).
 */
export function beginJournal(dir: string, entries: readonly JournalEntry[], notify: (line: string) => void): () => void {
    const recovery = recoverInterruptedWrite(dir);
    if (recovery) notify(recovery.message);
    const journal: Journal = { version: 1, pid: process.pid, started: new Date().toISOString(), entries };
    const file = journalPath(dir);
    const temp = temporaryPathFor(file);
    try {
        // 0600: it holds the files' old text, for this user's next command only.
        const fd = fs.openSync(temp, "wx", 0o600);
        try {
            fs.writeFileSync(fd, JSON.stringify(journal), "utf8");
            fs.fsyncSync(fd);
        } finally {
            fs.closeSync(fd);
        }
        stepReached("journal-temp-written");
        fs.linkSync(temp, file);
    } catch (err) {
        removeQuietly(temp);
        if ((err as NodeJS.ErrnoException).code === "EEXIST") throw busy(file, readJournal(file)?.pid);
        throw refused(`could not write the recovery journal ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`, {
            why: "pinstack records a write before it changes any file, so a kill part-way can be recovered; nothing was written",
            fix: "check the directory's permissions and free space, then rerun",
        });
    }
    removeQuietly(temp);
    syncDirectory(dir);
    stepReached("journal-written");
    return () => {
        fs.rmSync(file, { force: true });
        syncDirectory(dir);
    };
}

/**
 * Finishes or undoes a write whose process died (see the module comment) and removes the
 * temporaries dead writers left in `dir` and next to the files they wrote. Undefined when
 * there was nothing to do, or when the journal's writer is still running. Refuses (exit 1)
 * when a file was changed since the interrupted write and cannot be made consistent safely.
 */
export function recoverInterruptedWrite(dir: string): Recovery | undefined {
    const file = journalPath(dir);
    const journal = readJournal(file);
    if (journal && processAlive(journal.pid) && journal.pid !== process.pid) return undefined;
    if (!journal) {
        const removed = removeDeadTemporaries(dir, () => true);
        return removed.length > 0 ? { action: "cleaned up", message: `pinstack: removed ${removed.length} temporary file(s) an interrupted pinstack left: ${removed.join(", ")}` } : undefined;
    }
    const states = journal.entries.map((entry) => ({ entry, state: stateOf(entry) }));
    const foreign = states.filter((s) => s.state === "changed");
    if (foreign.length > 0) {
        throw new PinstackError(
            1,
            `an interrupted pinstack write (pid ${journal.pid}, ${journal.started}) cannot be recovered: ${foreign.map((s) => shown(s.entry.file)).join(", ")} changed since`,
            "those files hold neither the text before that write nor the text it was writing; recovering would overwrite someone's change",
            `compare the files with git (git diff), put them right, then remove ${file}`,
        );
    }
    const action = decide(states);
    try {
        if (action === "completed") complete(states);
        else rollBack(states);
    } catch (err) {
        // The journal stays, so the next command tries again; each step is safe to repeat.
        throw new PinstackError(
            1,
            `an interrupted pinstack write (pid ${journal.pid}) to ${journal.entries.map((e) => shown(e.file)).join(", ")} could not be ${action} (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
            "the files may not yet be a consistent set; no other command runs until they are",
            "check the directory's permissions and free space, then rerun any pinstack command",
        );
    }
    removeLeftovers(journal, dir);
    const names = journal.entries.map((e) => shown(e.file)).join(", ");
    const outcome = action === "completed" ? "completed it: every file now holds the new text" : "rolled it back: every file holds the text it had before";
    return { action, message: `pinstack: a write by pinstack (pid ${journal.pid}, ${journal.started}) to ${names} was interrupted; ${outcome}` };
}

type EntryState = "old" | "new" | "changed";

interface EntryWithState {
    readonly entry: JournalEntry;
    readonly state: EntryState;
}

/**
 * Completed once any file holds its new text (the write had passed every check and begun to
 * land) and every other file's temporary still holds its new text; rolled back otherwise.
 */
function decide(states: readonly EntryWithState[]): "completed" | "rolled back" {
    const landed = states.some((s) => s.state === "new");
    const completable = states.filter((s) => s.state === "old").every((s) => {
        const text = textOrNull(s.entry.temp);
        return text !== null && sha256(text) === s.entry.newSha256;
    });
    return landed && completable ? "completed" : "rolled back";
}

function complete(states: readonly EntryWithState[]): void {
    const pending = states.filter((s) => s.state === "old").map((s) => s.entry);
    for (const entry of pending) fs.renameSync(entry.temp, entry.target);
    for (const dirOf of new Set(pending.map((e) => path.dirname(e.target)))) syncDirectory(dirOf);
}

function rollBack(states: readonly EntryWithState[]): void {
    for (const { entry, state } of states) {
        if (state !== "new") continue;
        if (entry.old === null) fs.rmSync(entry.target, { force: true });
        else replaceDurably(entry.target, entry.old);
    }
}

/** The journal's temporaries, other temporaries dead writers left beside its files and in `dir`, then the journal. */
function removeLeftovers(journal: Journal, dir: string): void {
    for (const entry of journal.entries) removeQuietly(entry.temp);
    for (const dirOf of new Set(journal.entries.map((e) => path.dirname(e.target)))) {
        const names = journal.entries.filter((e) => path.dirname(e.target) === dirOf).map((e) => `.${path.basename(e.target)}.`);
        removeDeadTemporaries(dirOf, (name) => names.some((prefix) => name.startsWith(prefix)));
    }
    removeDeadTemporaries(dir, () => true);
    fs.rmSync(journalPath(dir), { force: true });
    syncDirectory(dir);
}

/** A path as messages name files: relative to where the command runs. */
function shown(file: string): string {
    return path.relative(process.cwd(), path.resolve(file)) || file;
}

function stateOf(entry: JournalEntry): EntryState {
    const now = textOrNull(entry.target);
    if (now === null) return entry.old === null ? "old" : "changed";
    const digest = sha256(now);
    if (digest === entry.newSha256) return "new";
    if (digest === entry.oldSha256) return "old";
    return "changed";
}

/** The journal in `file`, or undefined when there is none; a journal that does not parse is refused (it is linked in complete). */
function readJournal(file: string): Journal | undefined {
    const text = textOrNull(file);
    if (text === null) return undefined;
    let journal: Journal;
    try {
        journal = JSON.parse(text) as Journal;
    } catch {
        throw unreadable(file);
    }
    if (!journal || journal.version !== 1 || typeof journal.pid !== "number" || !Array.isArray(journal.entries)) throw unreadable(file);
    return journal;
}

/** Removes pinstack temporaries in `dir` whose writer is no longer running; returns their names. */
function removeDeadTemporaries(dir: string, belongs: (name: string) => boolean): string[] {
    let names: string[];
    try {
        names = fs.readdirSync(dir);
    } catch {
        return [];
    }
    const removed: string[] = [];
    for (const name of names) {
        const owner = temporaryOwner(name);
        if (owner === undefined || !belongs(name) || processAlive(owner)) continue;
        removeQuietly(path.join(dir, name));
        removed.push(name);
    }
    if (removed.length > 0) syncDirectory(dir);
    return removed;
}

function busy(file: string, pid: number | undefined): PinstackError {
    return refused(`another pinstack${pid !== undefined ? ` (pid ${pid})` : ""} is writing in ${path.dirname(file)}`, {
        why: `${file} records a write that is still under way; two writers at once could lose a change`,
        fix: `wait for it to finish, then rerun (if no pinstack runs, pid ${pid ?? "?"} is another program now: rerun once it ends, or compare the files ${file} names with git and remove it)`,
    });
}

function unreadable(file: string): PinstackError {
    return new PinstackError(1, `${file} is not a pinstack journal`, "pinstack writes it whole before any file changes, so this one was not written by pinstack or was damaged", `look at it, restore the files it names from git if needed, then remove ${file}`);
}
