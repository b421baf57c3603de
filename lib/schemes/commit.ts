import type { SchemeParse, TagScheme } from "./types";
import { parseOrThrow } from "./util";

/** A git commit hash as written (Merino: the commit is the version identifier). */
export interface CommitVersion {
    readonly value: string;
}

/**
 * Commit hashes: 7 to 40 lowercase hex digits. They have no order; `compare` returns 0
 * when one is a prefix of the other (the same commit, abbreviated) and otherwise a
 * lexical order that only keeps sorting deterministic.
 */
export const commit: TagScheme<CommitVersion> = {
    name: "commit",
    description: "git commit hash, 7-40 lowercase hex digits (3f2a9c1)",
    example: "3f2a9c1",
    ordered: false,
    parse: parseCommit,
    compare(a, b) {
        parseOrThrow(commit, a);
        parseOrThrow(commit, b);
        if (a.startsWith(b) || b.startsWith(a)) return 0;
        return a < b ? -1 : 1;
    },
    isPrerelease: () => false,
    hasBuildMetadata: () => false,
};

function parseCommit(value: string): SchemeParse<CommitVersion> {
    if (value === "") return { ok: false, error: "the commit hash is empty" };
    if (/^[0-9a-fA-F]+$/.test(value) && /[A-F]/.test(value)) {
        return { ok: false, error: `the commit hash '${value}' must be lowercase; write ${value.toLowerCase()}` };
    }
    if (!/^[0-9a-f]+$/.test(value)) return { ok: false, error: `'${value}' is not a commit hash (hex digits 0-9a-f only)` };
    if (value.length < 7) return { ok: false, error: `the commit hash '${value}' is ${value.length} digits; use at least 7` };
    if (value.length > 40) return { ok: false, error: `the commit hash '${value}' is ${value.length} digits; a commit hash has at most 40` };
    return { ok: true, version: { value } };
}
