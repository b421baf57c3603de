import { visibleLength } from "./color";

/** A table for people: a header row, then rows of cells (cells may carry ANSI colour). */
export interface Table {
    readonly headers: readonly string[];
    readonly rows: readonly (readonly string[])[];
}

/**
 * Renders columns padded to their widest cell, two spaces apart, header underlined
 * with dashes. Widths ignore ANSI codes so coloured cells line up.
 */
export function renderTable(table: Table): string {
    const columns = table.headers.length;
    const widths = table.headers.map((header, i) => Math.max(visibleLength(header), ...table.rows.map((row) => visibleLength(row[i] ?? ""))));
    const line = (cells: readonly string[]) =>
        cells
            .slice(0, columns)
            .map((cell, i) => (i === columns - 1 ? cell : cell + " ".repeat(widths[i] - visibleLength(cell))))
            .join("  ")
            .trimEnd();
    return [line(table.headers), line(widths.map((w) => "-".repeat(w))), ...table.rows.map(line)].join("\n") + "\n";
}

