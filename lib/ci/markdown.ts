/**
 * GitHub-flavoured Markdown pieces for the PR comment. Every table row is exactly one
 * line: cell text never carries a raw newline or an unescaped `|`, so a comment can be
 * cut between lines without breaking a table.
 */

/** Longest text of one cell; longer text ends in an explicit "…" with the count of characters left out. */
export const MAX_CELL_CHARS = 400;

/**
 * Plain cell text: HTML-escaped (no raw `<` can open a tag or a hidden `<!--` marker),
 * `|` escaped for tables, newlines as `<br>`, capped at MAX_CELL_CHARS.
 */
export function cell(text: string, max = MAX_CELL_CHARS): string {
    const flat = cap(text.replace(/\r\n?/g, "\n").trim(), max);
    return flat
        .replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;")
        .replace(/\|/g, "\\|")
        .replace(/\n/g, "<br>");
}

/**
 * Inline code in a table cell: the text is shown literally. The fence is one backtick
 * longer than the longest run inside (CommonMark); `|` must still be escaped in a
 * GFM table, and a newline would end the row, so it becomes a space.
 */
export function code(text: string, max = MAX_CELL_CHARS): string {
    const flat = cap(text.replace(/[\r\n]+/g, " "), max).replace(/\|/g, "\\|");
    if (flat === "") return "";
    const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
    const fence = "`".repeat(longestRun + 1);
    const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
    return `${fence}${pad}${flat}${pad}${fence}`;
}

/** One table row from already-escaped cells. */
export function row(cells: readonly string[]): string {
    return `| ${cells.join(" | ")} |`;
}

/** Header and delimiter lines of a table. */
export function tableHeader(headers: readonly string[]): string[] {
    return [row(headers), row(headers.map(() => "---"))];
}

/** Shortens text to `max` characters, saying how much was left out; never splits a surrogate pair. */
export function cap(text: string, max: number): string {
    const chars = [...text];
    if (chars.length <= max) return text;
    const keep = Math.max(0, max - 24);
    return `${chars.slice(0, keep).join("")}… (${chars.length - keep} more chars)`;
}

/** `1 resource` / `3 resources`. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
    return `${count} ${count === 1 ? singular : pluralForm}`;
}
