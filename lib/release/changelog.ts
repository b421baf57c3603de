import { refused, badInput } from "../errors";
import { bumpVersion } from "./bump";

/**
 * GWCelery's change log flow on CHANGES.rst (reStructuredText) or CHANGELOG.md:
 *   - the first version section is titled `X.Y.Z (unreleased)`;
 *   - releasing X.Y.Z retitles it `X.Y.Z (YYYY-MM-DD)` and opens a new first section
 *     `NEXT (unreleased)` with the single item "No changes yet".
 * Only the title lines and the inserted section change; every other byte is kept.
 * Hand-written: no maintained parser round-trips RST or Markdown byte for byte, and the
 * flow needs only headings.
 */

export type ChangelogFormat = "rst" | "md";

/** A version heading: `2.1.3 (unreleased)`, `v2.1.3 (2023-06-30)`, `## [2.1.3] (unreleased)`. */
interface Heading {
    /** 0-based index of the title line. */
    readonly line: number;
    readonly version: string;
    readonly status: string;
    /** ATX marker (`##`) for Markdown headings; undefined for underlined (setext / RST) ones. */
    readonly atx?: string;
    /** Underline character for RST / setext headings. */
    readonly underline?: string;
    /** The heading has an RST overline too. */
    readonly overline: boolean;
    /** Whether the version was written in brackets (`[2.1.3]`). */
    readonly brackets: boolean;
}

export interface ReleaseOptions {
    readonly version: string;
    /** The release date, `YYYY-MM-DD`. */
    readonly date: string;
    /** Provisional version of the next section; default: the patch after `version`. */
    readonly next?: string;
    /** Item text of the new section. */
    readonly placeholder?: string;
}

export interface ReleaseResult {
    readonly text: string;
    readonly version: string;
    readonly date: string;
    readonly next: string;
    /** 1-based line of the released section's title in the new text. */
    readonly line: number;
}

export const NO_CHANGES = "No changes yet";

const TITLE = /^(\[)?v?(\d[0-9A-Za-z.+-]*?)(\])?\s+\(([^)]+)\)\s*$/;
const UNDERLINE = /^([=\-~^"'`#*+<>_:.])\1{2,}\s*$/;

/** The format of a change log file by its name. */
export function formatOf(file: string): ChangelogFormat {
    return /\.(md|markdown)$/i.test(file) ? "md" : "rst";
}

/**
 * Releases the unreleased section. Refuses (exit 1) when the first version section is not
 * `<version> (unreleased)`, or when it lists no changes; bad input (exit 2) for a version
 * or date that is not one.
 */
export function releaseChangelog(text: string, format: ChangelogFormat, options: ReleaseOptions, file = "the change log"): ReleaseResult {
    const version = options.version.replace(/^v/, "");
    if (!/^\d[0-9A-Za-z.+-]*$/.test(version)) throw badInput(`'${options.version}' is not a version`, { fix: "write MAJOR.MINOR.PATCH, e.g. 2.1.3" });
    if (!/^\d{4}-\d{2}-\d{2}$/.test(options.date)) throw badInput(`'${options.date}' is not a date`, { fix: "write YYYY-MM-DD" });
    const eol = text.includes("\r\n") ? "\r\n" : "\n";
    const lines = text.split(/\r?\n/);
    const headings = findHeadings(lines, format);
    const where = (line: number) => ({ file, line: line + 1, column: 1, key: "" });
    if (headings.length === 0) {
        throw refused(`${file} has no version sections`, {
            why: "the release flow needs a first section titled 'X.Y.Z (unreleased)'",
            fix: `add a section '${version} (unreleased)' listing the changes since the last release`,
        });
    }
    const first = headings[0];
    if (first.status.toLowerCase() !== "unreleased") {
        throw refused(`${file} has no unreleased section: its newest section is ${first.version} (${first.status})`, {
            why: `releasing ${version} retitles the first section, which must read '${version} (unreleased)'`,
            fix: `add a section '${version} (unreleased)' above it listing the changes since ${first.version}`,
            location: where(first.line),
        });
    }
    if (first.version !== version) {
        throw refused(`${file}'s unreleased section is ${first.version}, not ${version}`, {
            why: "the version being released must be the one the change log announces",
            fix: `release ${first.version}, or retitle the section '${version} (unreleased)' if the version number changed`,
            location: where(first.line),
        });
    }
    const bodyEnd = headings.length > 1 ? headings[1].line - (headings[1].overline ? 1 : 0) : lines.length;
    const body = lines.slice(first.line + (first.atx ? 1 : 2), bodyEnd).map((l) => l.trim()).filter((l) => l !== "");
    if (body.length === 0 || body.every((l) => l.replace(/^[-*+]\s+/, "").replace(/\.$/, "") === NO_CHANGES)) {
        throw refused(`${file}'s section ${version} (unreleased) lists no changes`, {
            why: "a release with nothing in its change log is most likely a mistake",
            fix: "summarise the changes since the last release in that section (review the git log), then release",
            location: where(first.line),
        });
    }
    const next = (options.next ?? bumpVersion(version, "patch").to).replace(/^v/, "");
    if (!/^\d[0-9A-Za-z.+-]*$/.test(next)) throw badInput(`'${options.next}' is not a version`, { fix: "write MAJOR.MINOR.PATCH, e.g. 2.1.4" });

    const out = [...lines];
    const released = renderHeading(first, version, options.date);
    out.splice(first.line - (first.overline ? 1 : 0), first.atx ? 1 : first.overline ? 3 : 2, ...released);
    const bullet = bulletStyle(lines, first.line + 1, bodyEnd) ?? (format === "md" ? "- " : "-   ");
    const section = [...renderHeading(first, next, "unreleased"), "", `${bullet}${options.placeholder ?? NO_CHANGES}`, ""];
    const insertAt = first.line - (first.overline ? 1 : 0);
    out.splice(insertAt, 0, ...section);
    return { text: out.join(eol), version, date: options.date, next, line: insertAt + section.length + (first.overline ? 2 : 1) };
}

function findHeadings(lines: readonly string[], format: ChangelogFormat): Heading[] {
    const headings: Heading[] = [];
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i];
        const atx = format === "md" ? /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line) : null;
        if (atx) {
            const title = TITLE.exec(atx[2]);
            if (title) headings.push(heading(i, title, { atx: atx[1], overline: false }));
            continue;
        }
        const under = lines[i + 1] !== undefined ? UNDERLINE.exec(lines[i + 1]) : null;
        if (!under || line.trim() === "" || UNDERLINE.test(line)) continue;
        const title = TITLE.exec(line.trim());
        if (!title) continue;
        const over = i > 0 && UNDERLINE.test(lines[i - 1]) && lines[i - 1].trim()[0] === under[1];
        headings.push(heading(i, title, { underline: under[1], overline: over }));
        i++;
    }
    return headings;
}

function heading(line: number, title: RegExpExecArray, style: { atx?: string; underline?: string; overline: boolean }): Heading {
    return { line, version: title[2], status: title[4].trim(), brackets: title[1] === "[" && title[3] === "]", ...style };
}

/** The title lines of a heading in the style of `like`; RST underlines are as long as the title (RST requires at least that). */
function renderHeading(like: Heading, version: string, status: string): string[] {
    const title = `${like.brackets ? `[${version}]` : version} (${status})`;
    if (like.atx) return [`${like.atx} ${title}`];
    const rule = (like.underline ?? "-").repeat(title.length);
    return like.overline ? [rule, title, rule] : [title, rule];
}

/** The list marker the section already uses (`-   ` in GWCelery's file), so the new item matches. */
function bulletStyle(lines: readonly string[], from: number, to: number): string | undefined {
    for (let i = from; i < to; i++) {
        const match = /^([-*+]\s+)\S/.exec(lines[i]);
        if (match) return match[1];
    }
    return undefined;
}
