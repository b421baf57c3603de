import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";

/**
 * The file-system steps every pinstack write is made of: a temporary file next to its target
 * (so the rename cannot cross file systems), flushed with fsync; the directory flushed after a
 * rename. Temporary names carry the writer's pid, so a later run can tell a dead writer's
 * leftovers from a live writer's work.
 */

/** `.<name>.<pid>.<8 hex>.tmp` in the target's directory. */
export function temporaryPathFor(target: string, pid: number = process.pid): string {
    return path.join(path.dirname(target), `.${path.basename(target)}.${pid}.${randomBytes(4).toString("hex")}.tmp`);
}

const TEMPORARY = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** The pid a temporary file name carries, or undefined when the name is not one of pinstack's temporaries. */
export function temporaryOwner(name: string): number | undefined {
    const match = TEMPORARY.exec(name);
    return match ? Number(match[2]) : undefined;
}

/**
 * Writes `text` to `temp` (which must not exist) and flushes it. The mode is the target's, so
 * the rename keeps it; a new file gets 0644.
 */
export function writeTemporary(temp: string, target: string, text: string): void {
    let mode = 0o644;
    try {
        mode = fs.statSync(target).mode & 0o777;
    } catch {
        // A new file gets the usual mode.
    }
    const fd = fs.openSync(temp, "wx", mode);
    try {
        fs.writeFileSync(fd, text, "utf8");
        fs.fsyncSync(fd);
    } catch (err) {
        fs.closeSync(fd);
        removeQuietly(temp);
        throw err;
    }
    fs.closeSync(fd);
}

/** Replaces `target` with `text` by a flushed temporary and a rename. */
export function replaceDurably(target: string, text: string): void {
    const temp = temporaryPathFor(target);
    writeTemporary(temp, target, text);
    try {
        fs.renameSync(temp, target);
    } catch (err) {
        removeQuietly(temp);
        throw err;
    }
    syncDirectory(path.dirname(target));
}

/** Makes renames and removals durable; a directory fsync is not possible everywhere (it is best effort). */
export function syncDirectory(dir: string): void {
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

export function removeQuietly(file: string): void {
    try {
        fs.rmSync(file, { force: true });
    } catch {
        // Best effort: a temporary file that cannot be removed is harmless.
    }
}

/** The file's text, or null when it does not exist. */
export function textOrNull(file: string): string | null {
    try {
        return fs.readFileSync(file, "utf8");
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw err;
    }
}

/** Whether a process with this pid runs (EPERM: it does, as another user). */
export function processAlive(pid: number): boolean {
    if (pid === process.pid) return true;
    try {
        process.kill(pid, 0);
        return true;
    } catch (err) {
        return (err as NodeJS.ErrnoException).code === "EPERM";
    }
}
