import { badInput } from "../errors";

/**
 * Fits a document of sections into a character budget by dropping whole rows from the
 * end of sections and saying how many were dropped. Rows are never cut: every line of the
 * result is a line of the full document or an omission line.
 *
 * Sections are filled by priority: all rows of a lower `priority` first (the pin table),
 * then sections of equal priority take one row each in turn (policy results and the diff),
 * so neither can starve the other. Every section keeps its heading and an omission line.
 */

/** GitHub refuses issue and pull request comments longer than this. */
export const GITHUB_COMMENT_LIMIT = 65536;

export interface Section {
    /** Lower is filled first; equal priorities share the room row by row. */
    readonly priority: number;
    /** Lines always shown: heading, notes. */
    readonly head: readonly string[];
    /** Table header lines, shown when at least one row is. */
    readonly tableHead: readonly string[];
    /** One line each, most important first. */
    readonly rows: readonly string[];
    /** Lines shown when there are no rows at all. */
    readonly empty: readonly string[];
    /** The line that replaces `count` dropped rows. */
    omitted(count: number): string;
}

export interface FitResult {
    readonly text: string;
    /** Rows dropped, per section (same order as the input). */
    readonly dropped: readonly number[];
}

/** Length of lines joined by "\n", plus the newline that ends the block. */
function blockLength(lines: readonly string[]): number {
    return lines.reduce((sum, line) => sum + line.length + 1, 0);
}

/** The lines of a section showing its first `kept` rows. */
function render(section: Section, kept: number): string[] {
    const total = section.rows.length;
    if (total === 0) return [...section.head, ...section.empty];
    if (kept === 0) return [...section.head, section.omitted(total)];
    const shown = [...section.head, ...section.tableHead, ...section.rows.slice(0, kept)];
    // A blank line ends the table: GFM would read the next line as one more row.
    return kept === total ? shown : [...shown, "", section.omitted(total - kept)];
}

/** Size of `render(section, kept)`, in O(1) given the prefix sums of the row lengths. */
function sizer(section: Section): (kept: number) => number {
    const prefix = [0];
    for (const row of section.rows) prefix.push(prefix[prefix.length - 1] + row.length + 1);
    const head = blockLength(section.head);
    const table = blockLength(section.tableHead);
    const total = section.rows.length;
    return (kept) => {
        if (total === 0) return head + blockLength(section.empty);
        if (kept === 0) return head + blockLength([section.omitted(total)]);
        return head + table + prefix[kept] + (kept === total ? 0 : blockLength(["", section.omitted(total - kept)]));
    };
}

/**
 * Joins `before`, the sections and `after` into at most `maxChars` characters (UTF-16 code
 * units, which is never fewer than GitHub's count). Throws bad input when even the headings
 * and omission lines do not fit.
 */
export function fitSections(before: readonly string[], sections: readonly Section[], after: readonly string[], maxChars: number): FitResult {
    const sizes = sections.map(sizer);
    const kept = sections.map(() => 0);
    const fixed = blockLength(before) + blockLength(after);
    let used = fixed + sizes.reduce((sum, size) => sum + size(0), 0);
    if (used > maxChars) {
        throw badInput(`--max-chars ${maxChars} is too small for this comment`, {
            why: `its headings and summaries alone take ${used} characters`,
            fix: `use --max-chars ${used} or more (GitHub allows ${GITHUB_COMMENT_LIMIT})`,
        });
    }
    const priorities = [...new Set(sections.map((s) => s.priority))].sort((a, b) => a - b);
    for (const priority of priorities) {
        const group = sections.map((_, i) => i).filter((i) => sections[i].priority === priority);
        // Rounds until nothing grows: a section that could not take a row may fit its whole
        // table once another section has completed (and dropped its omission line).
        for (let progress = true; progress; ) {
            progress = false;
            let open = group.filter((i) => kept[i] < sections[i].rows.length);
            while (open.length > 0) {
                const stillOpen: number[] = [];
                for (const i of open) {
                    const total = sections[i].rows.length;
                    let next = kept[i] + 1;
                    let grown = used - sizes[i](kept[i]) + sizes[i](next);
                    if (grown > maxChars) {
                        // One more row does not fit, but all of them might: only the complete
                        // table drops the omission line, which can be longer than the last rows.
                        next = total;
                        grown = used - sizes[i](kept[i]) + sizes[i](total);
                        if (grown > maxChars) continue; // full for now; the others may still take a shorter row
                    }
                    used = grown;
                    kept[i] = next;
                    progress = true;
                    if (kept[i] < total) stillOpen.push(i);
                }
                open = stillOpen;
            }
        }
    }
    const lines = [...before, ...sections.flatMap((s, i) => render(s, kept[i])), ...after];
    const text = lines.join("\n") + "\n";
    // The size arithmetic above is the guarantee; this only catches a future mistake in it.
    if (text.length !== used) throw new Error(`internal: fitted comment is ${text.length} characters, expected ${used}`);
    return { text, dropped: sections.map((s, i) => s.rows.length - kept[i]) };
}
