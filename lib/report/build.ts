import { pinMatrix, pinText, type PinView } from "../format";
import type { ChangeEntry, HistoryEntry, PinChangeRecord, UpdateRecord } from "../history";
import type { StackConfig } from "../model";
import { describeFreeze, stackFreeze } from "../freeze";
import { samePin, shortDigest } from "../pin";
import { BOARD_FORMAT, type Board, type BoardCell, type BoardChange, type BoardEvent, type BoardRelease, type BoardRow, type BoardStack, type BoardUpdate, type EventKind } from "./model";

/**
 * Builds the board from each stack's current file and its audit trail (lib/history's
 * buildHistory: git versions of the stack file joined with `pulumi stack history`). The board
 * adds no join of its own: an event is a pin change of one file version, and its update is
 * the Pulumi update history already matched to that version.
 */

export interface StackSource {
    readonly config: StackConfig;
    /** buildHistory's entries for the stack, newest first. */
    readonly history: readonly HistoryEntry[];
    /** Why the stack's Pulumi updates could not be read, when they could not. */
    readonly warning?: string | null;
}

export interface BoardOptions {
    readonly now: Date;
    /** Events, updates and releases before this time are left out (the matrix is always now). */
    readonly since?: Date;
    readonly until?: Date;
}

/** An event with the pins it moved between, for the joins that compare pins. */
interface Move {
    readonly event: BoardEvent;
    readonly kind: "service" | "package";
    readonly after: PinView | null;
    /** The successful update that first ran it. */
    readonly deployed: UpdateRecord | undefined;
    readonly change: BoardChange;
    /** Its stack's place in promotion order, its file version's place in the stack's history (newest first), its place in the version's changes. */
    readonly stackIndex: number;
    readonly entryIndex: number;
    readonly order: number;
}

/** `sources` in promotion order (lib/config's loadAllStacks order). */
export function buildBoard(sources: readonly StackSource[], options: BoardOptions): Board {
    const renames = renamesIn(sources);
    const currentName = (name: string) => resolveRename(renames, name);
    const perStack = sources.map((source, i) => movesOf(source, i, currentName));
    const moves = perStack.flatMap((s) => s.moves);
    const inRange = (time: string) => within(time, options);
    const production = productionStack(sources);
    const events = newestFirst(moves.filter((m) => inRange(m.event.at)));
    return {
        format: BOARD_FORMAT,
        generatedAt: options.now.toISOString(),
        since: options.since?.toISOString() ?? null,
        until: options.until?.toISOString() ?? null,
        stacks: sources.map((source) => stackOf(source, options.now)),
        matrix: matrixOf(sources, moves, renames),
        changes: newestChanges(perStack.flatMap((s, i) => s.changes.map((change) => ({ change, stackIndex: i }))).filter(({ change }) => inRange(change.at))),
        events,
        updates: sources.flatMap((source, i) => updatesOf(source, perStack[i].changes)).filter((u) => inRange(u.startTime)).sort((a, b) => Date.parse(b.startTime) - Date.parse(a.startTime) || a.id.localeCompare(b.id)),
        releases: production ? releasesOf(production, sources, moves).filter((r) => inRange(r.mergedAt)) : [],
    };
}

/**
 * Events newest first. Events of one time (a commit that changes several stack files) read,
 * oldest first, in promotion order, and a file version's changes in the file's order.
 */
function newestFirst(moves: readonly Move[]): BoardEvent[] {
    return moves
        .map((move) => ({ move }))
        .sort((a, b) => Date.parse(b.move.event.at) - Date.parse(a.move.event.at) || b.move.stackIndex - a.move.stackIndex || a.move.entryIndex - b.move.entryIndex || b.move.order - a.move.order)
        .map(({ move }) => move.event);
}

function newestChanges(changes: readonly { change: BoardChange; stackIndex: number }[]): BoardChange[] {
    return changes
        .map((c, i) => ({ ...c, i }))
        .sort((a, b) => Date.parse(b.change.at) - Date.parse(a.change.at) || b.stackIndex - a.stackIndex || a.i - b.i)
        .map(({ change }) => change);
}

function within(time: string, options: BoardOptions): boolean {
    const t = Date.parse(time);
    if (options.since && t < options.since.getTime()) return false;
    if (options.until && t > options.until.getTime()) return false;
    return true;
}

function stackOf(source: StackSource, now: Date): BoardStack {
    const c = source.config;
    const freeze = stackFreeze(c, now);
    return { name: c.stack, environment: c.environment, hold: c.hold, holdReason: c.holdReason ?? null, frozen: freeze ? describeFreeze(freeze) : null, warning: source.warning ?? null };
}

/** The stack releases end on: the one whose preset is production, else the last in promotion order. */
function productionStack(sources: readonly StackSource[]): StackSource | undefined {
    return sources.find((s) => s.config.environment === "production") ?? sources[sources.length - 1];
}

/**
 * Renames: a file version that removes one service and adds another with the same image
 * renamed it (old name -> new name). Across stacks, so a service renamed on every stack keeps
 * one timeline.
 */
export function renamesIn(sources: readonly StackSource[]): ReadonlyMap<string, string> {
    const renames = new Map<string, string>();
    for (const source of sources) {
        // Oldest first, so a later rename of the new name extends the chain.
        for (const entry of [...changeEntries(source.history)].reverse()) {
            for (const [from, to] of renamePairs(entry.changes)) renames.set(from, to);
        }
    }
    return renames;
}

function renamePairs(changes: readonly PinChangeRecord[]): [string, string][] {
    const removed = changes.filter((c) => c.kind === "service" && c.change === "remove");
    const added = changes.filter((c) => c.kind === "service" && c.change === "add");
    const pairs: [string, string][] = [];
    for (const gone of removed) {
        const same = added.filter((a) => a.after?.image === gone.before?.image);
        // Two new services from one image: no way to tell which one is the old one.
        if (same.length === 1 && removed.filter((r) => r.before?.image === gone.before?.image).length === 1) pairs.push([gone.name, same[0].name]);
    }
    return pairs;
}

function resolveRename(renames: ReadonlyMap<string, string>, name: string): string {
    const seen = new Set<string>();
    let current = name;
    while (renames.has(current) && !seen.has(current)) {
        seen.add(current);
        current = renames.get(current) as string;
    }
    return current;
}

function changeEntries(history: readonly HistoryEntry[]): ChangeEntry[] {
    return history.filter((e): e is ChangeEntry => e.type === "change" && e.error === null);
}

/** The stack's changes (file versions that changed something) and their events. */
function movesOf(source: StackSource, stackIndex: number, currentName: (name: string) => string): { moves: Move[]; changes: BoardChange[] } {
    const stack = source.config.stack;
    const entries = changeEntries(source.history);
    const moves: Move[] = [];
    const changes: BoardChange[] = [];
    entries.forEach((entry, i) => {
        const older = entries[i + 1];
        const holdChanged = older ? older.hold !== entry.hold : entry.hold;
        // An ad-hoc freeze (`pinstack freeze`) set, changed or lifted; windows are the stack's settings, not events.
        const freezeChanged = older ? JSON.stringify(older.freeze) !== JSON.stringify(entry.freeze) : entry.freeze !== null;
        if (entry.changes.length === 0 && !holdChanged && !freezeChanged) return;
        const provenanceOf = (c: PinChangeRecord) => c.provenance ?? {};
        const change: BoardChange = {
            id: changeId(stack, entry.commit),
            stack,
            at: utc(entry.date),
            commit: entry.commit,
            author: entry.author,
            // A hand edit is the committer's: a provenance it left in place names an earlier promotion.
            by: entry.by || entry.author,
            reason: entry.reason ?? (holdChanged && entry.hold ? entry.holdReason : null) ?? (freezeChanged ? text(entry.freeze?.reason) : null) ?? "",
            message: entry.message,
            command: entry.command,
            updates: [...entry.updates].reverse().map((u) => updateId(stack, u)),
        };
        changes.push(change);
        const deployed = [...entry.updates].reverse().find((u) => u.result === "succeeded");
        const base = { change: change.id, stack, at: change.at };
        const own = (by: string, reason: string) => ({ ...(by && by !== change.by ? { by } : {}), ...(reason && reason !== change.reason ? { reason } : {}) });
        const renamed = new Map(renamePairs(entry.changes));
        const renamedTo = new Set(renamed.values());
        let n = 0;
        for (const pin of entry.changes) {
            if (renamedTo.has(pin.name) && pin.kind === "service") continue;
            const isRename = pin.kind === "service" && renamed.has(pin.name);
            const newName = isRename ? (renamed.get(pin.name) as string) : pin.name;
            const after = isRename ? (entry.changes.find((c) => c.kind === "service" && c.name === newName)?.after ?? null) : pin.after;
            const provenance = provenanceOf(pin);
            const event: BoardEvent = {
                ...base,
                id: `${change.id}-${n}`,
                kind: isRename ? "rename" : pinEventKind(entry.command, provenance),
                subject: pin.kind,
                name: isRename ? `${pin.name} → ${newName}` : pin.name,
                current: currentName(newName),
                from: typeof provenance.from === "string" ? provenance.from : null,
                before: pinText(pin.before, ""),
                after: pinText(after, ""),
            };
            moves.push({ event, change, kind: pin.kind, after, deployed, stackIndex, entryIndex: i, order: n++ });
        }
        if (holdChanged) {
            const event: BoardEvent = {
                ...base,
                id: `${change.id}-${n}`,
                kind: entry.hold ? "hold" : "hold-clear",
                subject: "stack",
                name: "",
                current: "",
                from: null,
                before: entry.hold ? "" : "on hold",
                after: entry.hold ? "on hold" : "",
                ...own("", (entry.hold ? entry.holdReason : null) ?? ""),
            };
            moves.push({ event, change, kind: "service", after: null, deployed, stackIndex, entryIndex: i, order: n++ });
        }
        if (freezeChanged) {
            const frozen = entry.freeze !== null;
            const until = text(entry.freeze?.until);
            const event: BoardEvent = {
                ...base,
                id: `${change.id}-${n}`,
                kind: frozen ? "freeze" : "freeze-clear",
                subject: "stack",
                name: "",
                current: "",
                from: null,
                before: older?.freeze ? "frozen" : "",
                after: frozen ? (until ? `frozen until ${until}` : "frozen") : "",
                ...own(text(entry.freeze?.by) ?? "", text(entry.freeze?.reason) ?? ""),
            };
            moves.push({ event, change, kind: "service", after: null, deployed, stackIndex, entryIndex: i, order: n++ });
        }
    });
    return { moves, changes };
}

/** A recorded field that is text, else null. */
function text(value: unknown): string | null {
    return typeof value === "string" && value !== "" ? value : null;
}

function changeId(stack: string, commit: string | null): string {
    return `ch-${stack}-${commit ? commit.slice(0, 12) : "worktree"}`;
}

function updateId(stack: string, update: UpdateRecord): string {
    return `up-${stack}-${update.version}`;
}

function pinEventKind(command: string | null, provenance: Readonly<Record<string, unknown>>): EventKind {
    if (command === "rollback" || provenance.rollback === true) return "rollback";
    // Past a rule that normally stops it: an undeployed pin, or a freeze (--break-glass).
    if (command === "promote") return provenance.allowUndeployed === true || isObject(provenance.breakGlass) ? "break-glass" : "promote";
    return "edit";
}

function toUpdate(stack: string, update: UpdateRecord, commit: string | null, change: string | null): BoardUpdate {
    const end = update.endTime ? Date.parse(update.endTime) : NaN;
    const start = Date.parse(update.startTime);
    return {
        id: updateId(stack, update),
        stack,
        version: update.version,
        kind: update.kind,
        result: update.result,
        startTime: update.startTime,
        endTime: update.endTime,
        durationSeconds: Number.isFinite(end) && Number.isFinite(start) ? Math.round((end - start) / 1000) : null,
        message: update.message,
        commit,
        change,
        resourceChanges: update.resourceChanges ?? null,
    };
}

function updatesOf(source: StackSource, changes: readonly BoardChange[]): BoardUpdate[] {
    const stack = source.config.stack;
    const changed = new Set(changes.map((c) => c.id));
    return source.history.flatMap((entry) => {
        if (entry.type !== "change") return [toUpdate(stack, entry, null, null)];
        const id = changeId(stack, entry.commit);
        return entry.updates.map((u) => toUpdate(stack, u, entry.commit, changed.has(id) ? id : null));
    });
}

/** lib/format's pin matrix, each cell with its hold and whether an earlier stage ever ran its pin. */
function matrixOf(sources: readonly StackSource[], moves: readonly Move[], renames: ReadonlyMap<string, string>): BoardRow[] {
    const configs = sources.map((s) => s.config);
    const ran = pinsEverRun(sources, moves);
    const formerNames = new Map<string, string[]>();
    for (const [from, to] of renames) formerNames.set(resolveRename(renames, to), [...(formerNames.get(resolveRename(renames, to)) ?? []), from]);
    return pinMatrix(configs).map((row) => {
        const cells: Record<string, BoardCell> = {};
        configs.forEach((config, i) => {
            const pin = row.stacks[config.stack] ?? null;
            const earlier = pin ? configs.slice(0, i).flatMap((c) => ran.get(ranKey(c.stack, row.kind, row.name, pin)) ?? []) : [];
            cells[config.stack] = {
                pin,
                text: pinText(pin, ""),
                version: pin ? (pin.version ?? pin.tag ?? "") : "",
                digest: shortDigest(pin?.digest),
                held: config.hold,
                firstHere: pin !== null && i > 0 && !earlier.some((seen) => samePinView(row.kind, seen, pin)),
            };
        });
        return {
            id: `${row.kind === "service" ? "svc" : "pkg"}-${row.name}`,
            kind: row.kind,
            name: row.name,
            cells,
            drift: row.drift,
            missing: row.missing,
            tagMoved: row.tagMoved,
            formerNames: [...(formerNames.get(row.name) ?? [])].reverse(),
        };
    });
}

/** Every pin each stack runs or ran, by stack, kind and (current) name. */
function pinsEverRun(sources: readonly StackSource[], moves: readonly Move[]): Map<string, PinView[]> {
    const ran = new Map<string, PinView[]>();
    const add = (stack: string, kind: "service" | "package", name: string, pin: PinView | null) => {
        if (!pin) return;
        const key = ranKey(stack, kind, name, pin);
        const list = ran.get(key);
        if (list) list.push(pin);
        else ran.set(key, [pin]);
    };
    for (const move of moves) if (move.event.subject !== "stack") add(move.event.stack, move.kind, move.event.current, move.after);
    for (const { config } of sources) {
        for (const s of config.services) add(config.stack, "service", s.name, { image: s.image, tag: s.tag, digest: s.digest });
        for (const p of config.packages) add(config.stack, "package", p.name, { version: p.version });
    }
    return ran;
}

/** Pins that can be the same release share their tag (a service) or version (a package): the key of the indexes below. */
function ranKey(stack: string, kind: "service" | "package", name: string, pin: PinView): string {
    return `${stack}\0${kind}\0${name}\0${kind === "package" ? pin.version : pin.tag ?? ""}`;
}

/**
 * The same release on two stacks: lib/pin's samePin, with a digest counting only where both
 * pin one (staging runs a tag, production the same tag with its digest).
 */
function samePinView(kind: "service" | "package", a: PinView, b: PinView): boolean {
    if (kind === "package") return a.version === b.version;
    const artifact = (p: PinView) => ({ image: p.image ?? "", tag: p.tag, digest: p.digest });
    return samePin(artifact(a), artifact(b), { digests: "where-pinned" }) || samePin(artifact(b), artifact(a), { digests: "where-pinned" });
}

/** Each pin change to production, with the time from its commit to the successful update that ran it. */
function releasesOf(production: StackSource, sources: readonly StackSource[], moves: readonly Move[]): BoardRelease[] {
    const stack = production.config.stack;
    const earlierStacks = new Set(sources.slice(0, sources.indexOf(production)).map((s) => s.config.stack));
    const earlier = new Map<string, Move[]>();
    for (const move of moves) {
        if (!earlierStacks.has(move.event.stack) || move.event.subject === "stack") continue;
        if (!move.after) continue;
        const key = ranKey("", move.kind, move.event.current, move.after);
        const list = earlier.get(key);
        if (list) list.push(move);
        else earlier.set(key, [move]);
    }
    const releaseKinds: readonly EventKind[] = ["promote", "break-glass", "edit"];
    return moves
        .filter((m) => m.event.stack === stack && releaseKinds.includes(m.event.kind) && m.after !== null)
        .map((m) => {
            const deployedAt = m.deployed ? (m.deployed.endTime ?? m.deployed.startTime) : null;
            const seen = (earlier.get(ranKey("", m.kind, m.event.current, m.after as PinView)) ?? [])
                .filter((e) => e.after && samePinView(m.kind, e.after, m.after as PinView) && Date.parse(e.event.at) <= Date.parse(m.event.at))
                .map((e) => e.event.at)
                .sort((a, b) => Date.parse(a) - Date.parse(b));
            return {
                id: `rel-${m.event.id.slice(3)}`,
                event: m.event.id,
                kind: m.kind,
                name: m.event.current,
                version: m.event.after,
                commit: m.change.commit,
                mergedAt: m.event.at,
                deployedAt,
                leadTimeSeconds: deployedAt ? Math.max(0, Math.round((Date.parse(deployedAt) - Date.parse(m.event.at)) / 1000)) : null,
                firstSeenAt: seen[0] ?? null,
            };
        });
}

/** Git writes the author's offset (`+02:00`); the board says every time in UTC, as Pulumi does. */
function utc(time: string): string {
    const t = Date.parse(time);
    return Number.isFinite(t) ? new Date(t).toISOString() : time;
}


function isObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}
