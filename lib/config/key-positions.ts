import { EVENT_ID, getScalarValue, SCALAR_STYLE } from "js-yaml";
import type { Event, ScalarEvent } from "js-yaml";
import { qualifyKey } from "./keys";

/**
 * Where every key under `config:` is written, as source offsets, found in one pass over
 * js-yaml's event stream (the events carry offsets; the constructed values do not).
 * The same pass refuses a repeated key at any depth, naming the second one — before the
 * values are built, so the message is pinstack's and points at the repeat.
 */
export interface KeyOffsets {
    /** Dotted key (`pinstack:services.api.tag`, `...initContainers[0]`) -> offset of its key or list item. */
    readonly offsets: Map<string, number>;
    /** Offset of the `config` key itself; -1 when the file has none. */
    readonly configOffset: number;
}

/** A key written twice in one mapping; `key` is as compared (config-level keys qualified). */
export class DuplicateKey {
    constructor(
        readonly key: string,
        readonly offset: number,
    ) {}
}

interface Frame {
    readonly kind: "document" | "map" | "seq";
    /** Dotted path of this collection under `config:`; "" is the config map itself; null is outside it. */
    readonly path: string | null;
    readonly root: boolean;
    readonly seen?: Set<string>;
    expectingKey: boolean;
    key: string | undefined;
    keyOffset: number;
    index: number;
}

const frame = (kind: Frame["kind"], path: string | null, root = false): Frame => ({
    kind,
    path,
    root,
    seen: kind === "map" ? new Set() : undefined,
    expectingKey: true,
    key: undefined,
    keyOffset: -1,
    index: 0,
});

/** Throws DuplicateKey; otherwise returns the offsets of every key under `config:`. */
export function keyOffsets(source: string, events: readonly Event[], project: string): KeyOffsets {
    const offsets = new Map<string, number>();
    let configOffset = -1;
    const stack: Frame[] = [];
    for (const event of events) {
        if (event.type === EVENT_ID.POP) {
            stack.pop();
            continue;
        }
        if (event.type === EVENT_ID.DOCUMENT) {
            stack.push(frame("document", null));
            continue;
        }
        const parent = stack[stack.length - 1];
        const collection = event.type === EVENT_ID.MAPPING ? "map" : event.type === EVENT_ID.SEQUENCE ? "seq" : undefined;
        if (parent.kind === "map" && parent.expectingKey) {
            parent.expectingKey = false;
            parent.key = undefined;
            if (event.type === EVENT_ID.SCALAR) {
                const written = getScalarValue(source, event);
                const key = parent.path === "" ? qualifyKey(written, project) : written;
                const offset = startOf(event);
                if (parent.seen!.has(key)) throw new DuplicateKey(key, offset);
                parent.seen!.add(key);
                parent.key = key;
                parent.keyOffset = offset;
            }
            // A collection used as a key: nothing under it has a dotted path.
            if (collection) stack.push(frame(collection, null));
            continue;
        }
        let path: string | null = null;
        if (parent.kind === "map") {
            parent.expectingKey = true;
            if (parent.root && parent.key === "config") {
                path = "";
                configOffset = parent.keyOffset;
            } else if (parent.path !== null && parent.key !== undefined) {
                path = parent.path === "" ? parent.key : `${parent.path}.${parent.key}`;
                offsets.set(path, parent.keyOffset);
            }
        } else if (parent.kind === "seq") {
            const index = parent.index++;
            if (parent.path !== null) {
                path = `${parent.path}[${index}]`;
                offsets.set(path, startOf(event));
            }
        }
        if (collection) stack.push(frame(collection, path, parent.kind === "document"));
    }
    return { offsets, configOffset };
}

/** Where a node starts, its anchor (`&a`) or tag (`!!str`) included, and a quoted scalar's opening quote. */
function startOf(event: Event): number {
    if (event.type === EVENT_ID.POP || event.type === EVENT_ID.DOCUMENT) return 0;
    let start: number;
    if (event.type === EVENT_ID.SCALAR) start = scalarStart(event);
    else if (event.type === EVENT_ID.ALIAS) start = event.anchorStart - 1;
    else start = event.start;
    if (event.type !== EVENT_ID.ALIAS && event.anchorStart >= 0) start = Math.min(start, event.anchorStart - 1);
    if (event.type !== EVENT_ID.ALIAS && event.tagStart >= 0) start = Math.min(start, event.tagStart);
    return start;
}

function scalarStart(event: ScalarEvent): number {
    const quoted = event.style === SCALAR_STYLE.SINGLE_QUOTED || event.style === SCALAR_STYLE.DOUBLE_QUOTED;
    return quoted ? event.valueStart - 1 : event.valueStart;
}
