import type { SourceLocation } from "../model";
import { ConfigPath, dottedKey } from "./keys";

/** Maps a config key (dotted, or as a path) to where it is written. Unknown keys resolve to their nearest written parent. */
export type Locator = (key: string | ConfigPath) => SourceLocation;

/** A locator that knows only the file (for config that did not come from a file we parsed). */
export function fileOnlyLocator(file: string): Locator {
    return (key) => ({ file, line: 0, column: 0, key: typeof key === "string" ? key : dottedKey(key) });
}

/** A 1-based line and column. */
export interface Position {
    readonly line: number;
    readonly column: number;
}

/**
 * A locator over source offsets by dotted key (see key-positions): offsets become a line
 * and column only when a message asks, so a clean run converts none.
 */
export function offsetLocator(file: string, offsets: ReadonlyMap<string, number>, configOffset: number, toPosition: (offset: number) => Position): Locator {
    const configLine = configOffset >= 0 ? toPosition(configOffset) : { line: 0, column: 0 };
    return (key) => {
        const dotted = typeof key === "string" ? key : dottedKey(key);
        let probe = dotted;
        for (;;) {
            const hit = offsets.get(probe);
            if (hit !== undefined) return { file, ...toPosition(hit), key: dotted };
            const cut = Math.max(probe.lastIndexOf("."), probe.lastIndexOf("["));
            if (cut <= 0) return { file, line: configLine.line, column: configLine.column, key: dotted };
            probe = probe.slice(0, cut);
        }
    };
}

/** Offset -> 1-based line and column, by binary search over the line starts. */
export function lineColumn(source: string): (offset: number) => Position {
    const starts = [0];
    for (let i = source.indexOf("\n"); i !== -1; i = source.indexOf("\n", i + 1)) starts.push(i + 1);
    return (offset) => {
        let lo = 0;
        let hi = starts.length - 1;
        while (lo < hi) {
            const mid = (lo + hi + 1) >> 1;
            if (starts[mid] <= offset) lo = mid;
            else hi = mid - 1;
        }
        return { line: lo + 1, column: offset - starts[lo] + 1 };
    };
}
