import * as fs from "fs";
import * as path from "path";
import { readTextOrNull, writeFilesAtomically } from "../config/atomic";
import { badInput } from "../errors";
import { jsonLine } from "../format";
import { renderBoardHtml } from "./html";
import type { Board } from "./model";

/**
 * The release board (`pinstack report`): lib/report/build.ts joins the stacks' files and
 * audit trails into the board's data (model.ts), html.ts draws it as a static page.
 */

export { buildBoard, renamesIn, StackSource, BoardOptions } from "./build";
export { escapeHtml, jsonForScript, renderBoardHtml } from "./html";
export * from "./model";

/**
 * `--json`: one object per line, each with its `type` — `board` first (format, times, stacks),
 * then every `row` of the matrix, `change`, `event`, `update` and `release`, in the board's order.
 */
export function boardJsonLines(board: Board): string {
    const { matrix, changes, events, updates, releases, ...head } = board;
    return [
        jsonLine({ type: "board", ...head }),
        ...matrix.map((r) => jsonLine({ type: "row", ...r })),
        ...changes.map((c) => jsonLine({ type: "change", ...c })),
        ...events.map((e) => jsonLine({ type: "event", ...e })),
        ...updates.map((u) => jsonLine({ type: "update", ...u })),
        ...releases.map((r) => jsonLine({ type: "release", ...r })),
    ].join("");
}

/** Writes `index.html` and `board.json` into `dir` (created when missing), both or neither. Returns the page's path. */
export function writeBoardSite(dir: string, board: Board): string {
    try {
        fs.mkdirSync(dir, { recursive: true });
    } catch (err) {
        throw badInput(`cannot create the board directory ${dir} (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { fix: "pass a directory you can write to with --html <dir>" });
    }
    const page = path.join(dir, "index.html");
    const data = path.join(dir, "board.json");
    writeFilesAtomically([
        { file: page, expected: readTextOrNull(page), text: renderBoardHtml(board) },
        { file: data, expected: readTextOrNull(data), text: `${JSON.stringify(board, null, 1)}\n` },
    ]);
    return page;
}

/**
 * A `--since`/`--until` value: an ISO-8601 date or time (`2026-01-31`, `2026-01-31T12:00:00Z`).
 * A date alone means the start of that day for --since and its end for --until (UTC).
 */
export function parseTimeOption(option: "--since" | "--until", value: string | undefined): Date | undefined {
    if (value === undefined) return undefined;
    const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
    const time = dateOnly ? Date.parse(`${value}T${option === "--since" ? "00:00:00.000" : "23:59:59.999"}Z`) : /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : NaN;
    if (!Number.isFinite(time)) {
        throw badInput(`${option} ${JSON.stringify(value)} is not a date or time`, { why: "expected ISO-8601, e.g. 2026-01-31 or 2026-01-31T12:00:00Z", fix: `pass ${option} YYYY-MM-DD` });
    }
    return new Date(time);
}
