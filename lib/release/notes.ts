import { badInput } from "../errors";
import { git, resolveCommit } from "../history/git";

/**
 * Release notes and the release ticket from the git history between two tags.
 *   - METASPACE writes notes into the tag: `[Task] Task name #921`, one line per change.
 *   - Fragalysis opens a ticket titled `Release 2023.06.2` with bullets summarising the
 *     tickets of the release; `#N` links them on the project board.
 * The history is read along the first parent of `to`, so a merged pull request is one change
 * (titled by the pull request, not by each of its commits).
 */

export interface ReleaseChange {
    readonly commit: string;
    readonly title: string;
    /** Ticket / pull-request references: `#921`, and GitLab merge requests as `!45`. */
    readonly refs: readonly string[];
    readonly author: string;
    readonly date: string;
}

export interface ReleaseNotes {
    readonly from: string;
    readonly to: string;
    readonly changes: readonly ReleaseChange[];
}

const FIELD = "\x1f";
const RECORD = "\x1e";

/** Commits in `to` but not in `from`, oldest first, as changes. Bad input (exit 2) when a tag names no commit. */
export function collectChanges(dir: string, from: string, to: string): ReleaseNotes {
    for (const ref of [from, to]) {
        if (!resolveCommit(dir, ref)) {
            throw badInput(`'${ref}' names no commit in this repository`, { fix: "give two release tags (git tag --list), e.g. pinstack notes 2023.06.1 2023.06.2" });
        }
    }
    const out = git(dir, ["log", "--first-parent", "--reverse", `--format=%H${FIELD}%an${FIELD}%aI${FIELD}%s${FIELD}%b${RECORD}`, "--end-of-options", `${from}..${to}`]);
    const changes: ReleaseChange[] = [];
    for (const record of out.split(RECORD)) {
        const trimmed = record.replace(/^\n/, "");
        if (trimmed.trim() === "") continue;
        const [commit, author, date, subject, body = ""] = trimmed.split(FIELD);
        const change = toChange(commit, author, date, subject, body);
        if (change) changes.push(change);
    }
    return { from, to, changes };
}

/** Commits that are bookkeeping of the release itself, not changes in it (GWCelery's two changelog commits). */
const BOOKKEEPING = [/^Back to development\.?$/i, /^Update changelog for version\b/i, /^Merge (remote-tracking )?branch '[^']+'( of \S+)?$/];

function toChange(commit: string, author: string, date: string, subject: string, body: string): ReleaseChange | undefined {
    if (BOOKKEEPING.some((pattern) => pattern.test(subject.trim()))) return undefined;
    const bodyLines = body.split("\n").map((l) => l.trim()).filter((l) => l !== "");
    let title = subject.trim();
    const refs: string[] = [];
    const github = /^Merge pull request #(\d+) from (\S+)/.exec(title);
    const gitlab = /^Merge branch '([^']+)' into '[^']+'$/.exec(title);
    if (github) {
        refs.push(`#${github[1]}`);
        title = bodyLines[0] ?? github[2];
    } else if (gitlab) {
        const request = body.match(/See merge request \S*!(\d+)/);
        if (request) refs.push(`!${request[1]}`);
        title = bodyLines.find((l) => !/^See merge request /.test(l)) ?? gitlab[1];
    }
    for (const text of [subject, body]) {
        for (const match of text.matchAll(/(?<![\w&/])#(\d+)\b/g)) refs.push(`#${match[1]}`);
    }
    // A squash merge's "(#123)" suffix is a reference, not part of the title.
    title = title.replace(/\s*\((?:#\d+(?:,\s*)?)+\)\s*$/, "").trim();
    return { commit, title, refs: [...new Set(refs)], author, date };
}

/** The notes people read: one bullet per change with its references, short commit and author. */
export function renderNotes(notes: ReleaseNotes): string {
    const lines = [`Release notes for ${notes.to} (changes since ${notes.from})`, ""];
    if (notes.changes.length === 0) lines.push("No changes.");
    for (const change of notes.changes) {
        lines.push(`- ${withRefs(change)} (${change.commit.slice(0, 7)}, ${change.author})`);
    }
    return lines.join("\n") + "\n";
}

/**
 * Fragalysis' release ticket: title `Release <to>`, one bullet per referenced ticket (the
 * board links `#N`). Changes without a reference are counted, not listed: the ticket
 * summarises tickets, the notes list everything.
 */
export function renderTicket(notes: ReleaseNotes): string {
    const referenced = notes.changes.filter((c) => c.refs.length > 0);
    const unreferenced = notes.changes.length - referenced.length;
    const lines = [`Release ${notes.to}`, ""];
    for (const change of referenced) lines.push(`- ${withRefs(change)}`);
    if (referenced.length === 0) lines.push("- No ticketed changes");
    if (unreferenced > 0) lines.push("", `(${unreferenced} more change${unreferenced === 1 ? "" : "s"} without a ticket reference; see \`pinstack notes ${notes.from} ${notes.to}\`)`);
    return lines.join("\n") + "\n";
}

function withRefs(change: ReleaseChange): string {
    const missing = change.refs.filter((ref) => !change.title.includes(ref));
    return missing.length ? `${change.title} ${missing.join(" ")}` : change.title;
}
