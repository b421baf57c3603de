import * as fs from "fs";
import { badInput, PinstackError } from "../errors";

/**
 * How large a file pinstack reads may be. A stack file of 8 MiB holds about 16,000 services,
 * far past any real project; the ledger gets four times that, since it keeps every tag ever
 * pinned. Past these sizes the parse alone takes seconds to minutes and gigabytes, so a file
 * that large is refused (bad input, exit 2) before a byte of it is read: the size comes from
 * fstat of the open file, the same file that is then read.
 */
export const STACK_FILE_LIMIT = 8 * 1024 * 1024;
export const LEDGER_LIMIT = 32 * 1024 * 1024;

/** What a limited read is of, for the message: "stack file", "ledger", "change log". */
export interface ReadLimit {
    readonly bytes: number;
    readonly what: string;
}

export const stackFileLimit: ReadLimit = { bytes: STACK_FILE_LIMIT, what: "stack file" };
export const ledgerLimit: ReadLimit = { bytes: LEDGER_LIMIT, what: "ledger" };

/**
 * Reads `file` as UTF-8, or null when it does not exist. Bad input (exit 2) when it cannot be
 * read, is not a regular file, or is larger than the limit.
 */
export function readLimitedText(file: string, limit: ReadLimit = stackFileLimit): string | null {
    let fd: number;
    try {
        fd = fs.openSync(file, "r");
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "ENOENT") return null;
        throw badInput(`${file}: cannot read the ${limit.what} (${code ?? String(err)})`);
    }
    try {
        const stat = fs.fstatSync(fd);
        if (!stat.isFile()) throw badInput(`${file}: the ${limit.what} is not a regular file`, { fix: "point pinstack at the file itself" });
        assertWithinLimit(file, stat.size, limit);
        return fs.readFileSync(fd, "utf8");
    } catch (err) {
        if (err instanceof PinstackError) throw err;
        throw badInput(`${file}: cannot read the ${limit.what} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    } finally {
        fs.closeSync(fd);
    }
}

/** Bad input (exit 2) when `size` bytes of `file` (a path, or `commit:path` read from git) are over the limit. */
export function assertWithinLimit(file: string, size: number, limit: ReadLimit = stackFileLimit): void {
    if (size <= limit.bytes) return;
    throw badInput(`${file}: the ${limit.what} is ${mebibytes(size, Math.ceil)}, over pinstack's limit of ${mebibytes(limit.bytes)}`, {
        why: "a file that large is far past any real project and would take minutes and gigabytes to parse; pinstack refuses it unread",
        fix: `check that ${file} is the file you meant (a generated or corrupted file?), or split the stack`,
    });
}

/** `8 MiB (8388608 bytes)`; a file's size is rounded up, so one byte over 8 MiB does not read "8 MiB, over 8 MiB". */
function mebibytes(bytes: number, round: (x: number) => number = Math.round): string {
    return `${round((bytes / (1024 * 1024)) * 10) / 10} MiB (${bytes} bytes)`;
}
