import { isMap, isPair, isScalar, isSeq, LineCounter, Node, Document } from "yaml";
import type { SourceLocation } from "../model";
import { ConfigPath, dottedKey, qualifyKey } from "./keys";

/** Maps a config key (dotted, or as a path) to where it is written. Unknown keys resolve to their nearest written parent. */
export type Locator = (key: string | ConfigPath) => SourceLocation;

/** A locator that knows only the file (for config that did not come from a file we parsed). */
export function fileOnlyLocator(file: string): Locator {
    return (key) => ({ file, line: 0, column: 0, key: typeof key === "string" ? key : dottedKey(key) });
}

/**
 * Builds a locator over a parsed stack file: every key under `config:` is recorded with
 * its line and column (1-based) once, so looking up thousands of pins stays cheap.
 */
export function documentLocator(file: string, doc: Document, lineCounter: LineCounter, project = "pinstack"): Locator {
    const positions = new Map<string, { line: number; column: number }>();
    const record = (path: ConfigPath, node: unknown) => {
        const range = (node as Node | undefined)?.range;
        if (!range) return;
        const pos = lineCounter.linePos(range[0]);
        positions.set(dottedKey(path), { line: pos.line, column: pos.col });
    };
    const walk = (node: unknown, path: ConfigPath) => {
        if (isMap(node)) {
            for (const pair of node.items) {
                if (!isPair(pair)) continue;
                const raw = isScalar(pair.key) ? pair.key.value : pair.key;
                const key = path.length === 0 ? qualifyKey(String(raw), project) : String(raw);
                const child = [...path, key];
                record(child, pair.key);
                walk(pair.value, child);
            }
        } else if (isSeq(node)) {
            node.items.forEach((item, index) => {
                const child = [...path, index];
                record(child, item);
                walk(item, child);
            });
        }
    };
    const root = doc.contents;
    let configLine = { line: 0, column: 0 };
    if (isMap(root)) {
        const configPair = root.items.find((pair) => isScalar(pair.key) && pair.key.value === "config");
        if (configPair) {
            const range = (configPair.key as Node).range;
            if (range) {
                const pos = lineCounter.linePos(range[0]);
                configLine = { line: pos.line, column: pos.col };
            }
            walk(configPair.value, []);
        }
    }
    return positionLocator(file, positions, configLine);
}

/** A 1-based line and column. */
export interface Position {
    readonly line: number;
    readonly column: number;
}

/**
 * A locator over positions recorded by dotted key. A key that was not written (a missing
 * required key) resolves to its nearest written parent, and at worst to `config:`.
 */
export function positionLocator(file: string, positions: ReadonlyMap<string, Position>, configLine: Position): Locator {
    return (key) => {
        const dotted = typeof key === "string" ? key : dottedKey(key);
        let probe = dotted;
        for (;;) {
            const hit = positions.get(probe);
            if (hit) return { file, line: hit.line, column: hit.column, key: dotted };
            const cut = Math.max(probe.lastIndexOf("."), probe.lastIndexOf("["));
            if (cut <= 0) return { file, line: configLine.line, column: configLine.column, key: dotted };
            probe = probe.slice(0, cut);
        }
    };
}
