import * as path from "path";
import { badInput } from "../errors";
import type { StackConfig } from "../model";
import { parseRepositoryName, qualifiedName } from "../reference";
import { readTextOrNull } from "../config/atomic";
import { ledgerLimit } from "../config/limits";

/**
 * The tag -> digest ledger: "a tag that was promoted before must not now point at another
 * digest".
 *
 * Where it lives: `pinstack.ledger.json` next to the stack files, committed and reviewed with
 * them. The stack files alone are not enough: they hold only the pins running now, so once
 * production moves from 2023.05.1 to 2023.06.1 the digest 2023.05.1 had is gone from them, and
 * a later rollback or re-promotion of 2023.05.1 could no longer tell that the tag was re-pushed.
 * The ledger keeps every tag -> digest pair pinstack ever pinned (append-only: a record is never
 * changed), and the digests in the stack files count as records too, so a file edited by hand
 * is held to the same rule. One JSON object keyed by `registry/repository:tag`, sorted, so a
 * promotion adds a few lines to the diff and merges cleanly.
 */

export const LEDGER_FILE = "pinstack.ledger.json";

export interface LedgerRecord {
    readonly digest: string;
    /** When the pair was first pinned (ISO-8601). */
    readonly at: string;
    readonly by: string;
    /** The stack it was first pinned on, and where it came from. */
    readonly stack: string;
    readonly from: string;
}

export interface Ledger {
    readonly version: 1;
    readonly tags: Readonly<Record<string, LedgerRecord>>;
}

export interface LoadedLedger {
    readonly file: string;
    /** The file's text as read (null when there is none yet), for the atomic write's guard. */
    readonly text: string | null;
    readonly ledger: Ledger;
}

/** Where a tag's digest was recorded, for messages. */
export interface DigestEvidence {
    readonly digest: string;
    /** `pinstack.ledger.json` or the stack file that pins it. */
    readonly where: string;
}

export function ledgerPath(dir: string): string {
    return path.join(dir, LEDGER_FILE);
}

/** `registry/repository:tag` with Docker Hub's defaults filled in, so `nginx` and `docker.io/library/nginx` are one key. */
export function ledgerKey(image: string, tag: string): string {
    const parsed = parseRepositoryName(image);
    return `${parsed.ok ? qualifiedName(parsed.value) : image}:${tag}`;
}

/** Reads the ledger (empty when the file does not exist). Bad input (exit 2) when it is not a ledger. */
export function readLedger(dir: string): LoadedLedger {
    const file = ledgerPath(dir);
    const text = readTextOrNull(file, ledgerLimit);
    if (text === null) return { file, text, ledger: { version: 1, tags: {} } };
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch (err) {
        const position = /position (\d+)/.exec((err as Error).message);
        const line = position ? text.slice(0, Number(position[1])).split("\n").length : 0;
        throw badInput(`malformed JSON: ${(err as Error).message}`, { location: { file, line, column: 0, key: "" }, fix: "restore the ledger from git (git checkout -- pinstack.ledger.json)" });
    }
    const ledger = parsed as Partial<Ledger>;
    if (!ledger || typeof ledger !== "object" || ledger.version !== 1 || typeof ledger.tags !== "object" || ledger.tags === null) {
        throw badInput("not a pinstack ledger: expected {\"version\": 1, \"tags\": {...}}", { location: { file, line: 1, column: 1, key: "" } });
    }
    for (const [key, record] of Object.entries(ledger.tags)) {
        if (!record || typeof record.digest !== "string" || !/^sha256:[0-9a-f]{64}$/.test(record.digest)) {
            throw badInput(`record ${key} has no valid digest`, { location: { file, line: lineOf(text, JSON.stringify(key)), column: 0, key } });
        }
    }
    return { file, text, ledger: ledger as Ledger };
}

function lineOf(text: string, needle: string): number {
    const at = text.indexOf(needle);
    return at < 0 ? 0 : text.slice(0, at).split("\n").length;
}

/** Every digest recorded for `image:tag`: in the ledger and in any stack's pins (current pin and blue-green `previous`). */
export function recordedDigests(ledger: Ledger, stacks: readonly StackConfig[], image: string, tag: string): DigestEvidence[] {
    return digestRecords(ledger, stacks)(image, tag);
}

/**
 * recordedDigests for many tags: the stacks' pins are indexed once, so looking up every pin
 * of a large promotion is linear in the pins, not pins times pins.
 */
export function digestRecords(ledger: Ledger, stacks: readonly StackConfig[]): (image: string, tag: string) => DigestEvidence[] {
    const pinned = new Map<string, DigestEvidence[]>();
    const add = (key: string, evidence: DigestEvidence) => {
        const list = pinned.get(key);
        if (list) list.push(evidence);
        else pinned.set(key, [evidence]);
    };
    for (const stack of stacks) {
        for (const service of stack.services) {
            if (service.digest && service.tag) add(ledgerKey(service.image, service.tag), { digest: service.digest, where: `${stack.file} (service ${service.name})` });
            const prev = service.previous;
            if (prev?.digest && prev.tag) add(ledgerKey(service.image, prev.tag), { digest: prev.digest, where: `${stack.file} (service ${service.name}, previous)` });
        }
    }
    return (image, tag) => {
        const key = ledgerKey(image, tag);
        const record = Object.prototype.hasOwnProperty.call(ledger.tags, key) ? ledger.tags[key] : undefined;
        return [...(record ? [{ digest: record.digest, where: `${LEDGER_FILE} (pinned on ${record.stack} at ${record.at})` }] : []), ...(pinned.get(key) ?? [])];
    };
}

/** The ledger with new records added; an existing record is never replaced. */
export function withRecords(ledger: Ledger, records: Readonly<Record<string, LedgerRecord>>): Ledger {
    const tags: Record<string, LedgerRecord> = { ...ledger.tags };
    for (const [key, record] of Object.entries(records)) if (!tags[key]) tags[key] = record;
    return { version: 1, tags };
}

/** Stable text: keys sorted, two-space indent, one record per few lines, trailing newline. */
export function renderLedger(ledger: Ledger): string {
    const tags: Record<string, LedgerRecord> = {};
    for (const key of Object.keys(ledger.tags).sort()) {
        const r = ledger.tags[key];
        tags[key] = { digest: r.digest, at: r.at, by: r.by, stack: r.stack, from: r.from };
    }
    return `${JSON.stringify({ version: 1, tags }, null, 2)}\n`;
}
