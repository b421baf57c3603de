import * as fs from "fs";
import * as path from "path";
import { parseStackFileText } from "../config";
import { readLimitedText } from "../config/limits";
import type { PinChange, PinView } from "../format";
import { artifactOfEntry, containerLines, diffPin } from "../pin";
import type { StackUpdate } from "../pulumi-cli";
import { describeService, packageIdentity, pinsOfUpdate, RawPin, serviceIdentity } from "./deployed";
import { git, readBlobs, repoPath, repositoryRoot } from "./git";

/**
 * `pinstack history <stack>`: the audit trail. Every version of `Pulumi.<stack>.yaml` in git
 * (commit, author, date, message, and what it changed: pins with their provenance, the hold,
 * the reason recorded by pinstack) joined with the Pulumi updates that deployed it (time,
 * result, message), newest first.
 *
 * The join: an update ran with some config (recorded in `pulumi stack history`); it deployed
 * the newest file version, committed before the update started, whose pins and hold are the
 * ones the update ran with. Updates that match no version (config changed with `pulumi config
 * set`, or a file version never committed) are listed on their own.
 */

export { deploymentOf, earlierPinsOf, pinsOfUpdate, serviceIdentity, packageIdentity, describeService } from "./deployed";
export { repositoryRoot } from "./git";

/** A pin an update changed (lib/format's PinChange), with the provenance written with the new pin. */
export interface PinChangeRecord extends PinChange {
    readonly change: "add" | "remove" | "update";
    /** The provenance written with the new pin, when it has one. */
    readonly provenance: Readonly<Record<string, unknown>> | null;
}

export interface UpdateRecord {
    readonly version: number;
    readonly kind: string;
    readonly result: string;
    readonly startTime: string;
    readonly endTime: string | null;
    readonly message: string;
    /** What the update did to resources, as Pulumi counts it (`{"update": 1, "same": 4}`); absent when not recorded. */
    readonly resourceChanges?: Readonly<Record<string, number>>;
}

export interface ChangeEntry {
    readonly type: "change";
    /** null for changes not committed yet (the working tree). */
    readonly commit: string | null;
    readonly author: string;
    readonly email: string;
    readonly date: string;
    readonly message: string;
    /** The pinstack command that made this version (`pinstack:lastChange`), when it did. */
    readonly command: string | null;
    readonly reason: string | null;
    readonly by: string | null;
    readonly changes: readonly PinChangeRecord[];
    readonly hold: boolean;
    readonly holdReason: string | null;
    /** The ad-hoc freeze of this version (`pinstack:freeze.active`: reason, by, at, until), or null. */
    readonly freeze: Record<string, unknown> | null;
    /** Set when this version could not be read (malformed YAML in history). */
    readonly error: string | null;
    /** Pulumi updates that ran this version, newest first. */
    readonly updates: readonly UpdateRecord[];
}

export interface UpdateEntry extends UpdateRecord {
    readonly type: "update";
    /** Why no file version matched. */
    readonly note: string;
}

export type HistoryEntry = ChangeEntry | UpdateEntry;

interface Version {
    readonly commit: string | null;
    readonly author: string;
    readonly email: string;
    readonly date: string;
    readonly message: string;
    readonly services: ReadonlyMap<string, RawPin>;
    readonly packages: ReadonlyMap<string, RawPin>;
    readonly hold: boolean;
    readonly holdReason: string | null;
    readonly freeze: Record<string, unknown> | null;
    readonly lastChange: Record<string, unknown> | null;
    readonly error: string | null;
}

const FIELD = "\x1f";

/** The versions of a stack file, newest first: the working tree's first when it differs from HEAD. */
export function fileVersions(file: string): Version[] {
    const dir = path.dirname(path.resolve(file));
    const root = repositoryRoot(dir);
    const rel = repoPath(root, file);
    const log = git(root, ["log", `--format=%H${FIELD}%an${FIELD}%ae${FIELD}%aI${FIELD}%s`, "--", rel]);
    const commits = log
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((line) => {
            const [commit, author, email, date, message] = line.split(FIELD);
            return { commit, author, email, date, message };
        });
    const texts = readBlobs(root, commits.map((c) => `${c.commit}:${rel}`));
    const versions: Version[] = commits.map((c, i) => ({ ...c, ...readVersion(file, texts[i]) }));
    const working = readLimitedText(file) ?? undefined;
    if (working !== undefined && (texts.length === 0 || working !== texts[0])) {
        versions.unshift({ commit: null, author: "", email: "", date: fs.statSync(file).mtime.toISOString(), message: "(not committed)", ...readVersion(file, working) });
    }
    return versions;
}

function readVersion(file: string, text: string | undefined): Omit<Version, "commit" | "author" | "email" | "date" | "message"> {
    const empty = { services: new Map(), packages: new Map(), hold: false, holdReason: null, freeze: null, lastChange: null };
    if (text === undefined) return { ...empty, error: "the file is missing in this commit" };
    try {
        const raw = JSON.parse(JSON.stringify(parseStackFileText(path.basename(file), text).raw)) as Record<string, unknown>;
        const services = object(raw["pinstack:services"]);
        const packages = object(raw["pinstack:packages"]);
        return {
            services: new Map(Object.entries(services).filter(([, v]) => isObject(v)) as [string, RawPin][]),
            packages: new Map(Object.entries(packages).map(([name, v]) => [name, isObject(v) ? (v as RawPin) : { version: String(v) }])),
            hold: raw["pinstack:hold"] === true,
            holdReason: typeof raw["pinstack:holdReason"] === "string" ? (raw["pinstack:holdReason"] as string) : null,
            freeze: isObject(raw["pinstack:freeze"]) && isObject((raw["pinstack:freeze"] as Record<string, unknown>).active) ? ((raw["pinstack:freeze"] as Record<string, unknown>).active as Record<string, unknown>) : null,
            lastChange: isObject(raw["pinstack:lastChange"]) ? (raw["pinstack:lastChange"] as Record<string, unknown>) : null,
            error: null,
        };
    } catch (err) {
        return { ...empty, error: (err as Error).message };
    }
}

/** Joins file versions (newest first) with Pulumi updates (newest first) into the audit trail, newest first. */
export function buildHistory(versions: readonly Version[], updates: readonly StackUpdate[]): HistoryEntry[] {
    const byVersion = new Map<Version, UpdateRecord[]>();
    const unmatched: UpdateEntry[] = [];
    const identities = versions.map(identityOfVersion);
    for (const update of updates) {
        const record = toRecord(update);
        if (update.kind !== "update" && update.kind !== "destroy") {
            unmatched.push({ type: "update", ...record, note: `${update.kind}: changes no pins` });
            continue;
        }
        const pins = pinsOfUpdate(update);
        const identity = identityOfPins(pins.services, pins.packages, pins.hold);
        const started = Date.parse(update.startTime);
        const head = update.environment["git.head"];
        const candidates = versions.filter((v, i) => identities[i] === identity && Date.parse(v.date) <= started);
        const match = candidates.find((v) => head && v.commit === head) ?? candidates[0];
        if (update.kind === "destroy" || !match) {
            unmatched.push({ type: "update", ...record, note: update.kind === "destroy" ? "destroy: nothing runs after it" : "ran config that matches no committed version of the stack file" });
            continue;
        }
        byVersion.set(match, [...(byVersion.get(match) ?? []), record]);
    }
    const changes: ChangeEntry[] = versions.map((version, i) => {
        const older = versions[i + 1];
        const lastChange = version.lastChange && (!older || JSON.stringify(older.lastChange) !== JSON.stringify(version.lastChange)) ? version.lastChange : null;
        return {
            type: "change",
            commit: version.commit,
            author: version.author,
            email: version.email,
            date: version.date,
            message: version.message,
            command: lastChange ? String(lastChange.command ?? "") : null,
            reason: lastChange ? String(lastChange.reason ?? "") : null,
            by: lastChange ? String(lastChange.by ?? "") : null,
            changes: pinChanges(older, version),
            hold: version.hold,
            holdReason: version.holdReason,
            freeze: version.freeze,
            error: version.error,
            updates: byVersion.get(version) ?? [],
        };
    });
    const entries: HistoryEntry[] = [...changes, ...unmatched];
    const time = (e: HistoryEntry) => Date.parse(e.type === "change" ? e.date : e.startTime);
    // Stable: versions keep git's order among themselves (commits can share a second).
    return entries.map((e, i) => ({ e, i })).sort((a, b) => time(b.e) - time(a.e) || a.i - b.i).map(({ e }) => e);
}

function pinChanges(older: Version | undefined, newer: Version): PinChangeRecord[] {
    const out: PinChangeRecord[] = [];
    const compare = (kind: "service" | "package", before: ReadonlyMap<string, RawPin>, after: ReadonlyMap<string, RawPin>) => {
        const identity = kind === "service" ? serviceIdentity : packageIdentity;
        const names = [...new Set([...after.keys(), ...before.keys()])];
        for (const name of names) {
            const a = before.get(name);
            const b = after.get(name);
            if (a && b && identity(a) === identity(b)) continue;
            const containers = kind === "service" && a && b ? containerLines(diffPin(artifactOfEntry(a), artifactOfEntry(b), "any")) : [];
            out.push({
                kind,
                name,
                change: !a ? "add" : !b ? "remove" : "update",
                before: a ? view(kind, a) : null,
                after: b ? view(kind, b) : null,
                provenance: b && isObject(b.provenance) ? (b.provenance as Record<string, unknown>) : null,
                ...(containers.length > 0 ? { containers } : {}),
            });
        }
    };
    compare("service", older?.services ?? new Map(), newer.services);
    compare("package", older?.packages ?? new Map(), newer.packages);
    return out;
}

function view(kind: "service" | "package", pin: RawPin): PinView {
    if (kind === "package") return { version: String(pin.version) };
    const out: { image?: string; tag?: string; digest?: string } = { image: String(pin.image) };
    if (pin.tag !== undefined) out.tag = String(pin.tag);
    if (pin.digest !== undefined) out.digest = String(pin.digest);
    return out;
}

function identityOfVersion(version: Version): string {
    return identityOfPins(version.services, version.packages, version.hold);
}

function identityOfPins(services: ReadonlyMap<string, RawPin>, packages: ReadonlyMap<string, RawPin>, hold: boolean): string {
    return JSON.stringify([
        [...services].map(([name, pin]) => [name, serviceIdentity(pin)]).sort(),
        [...packages].map(([name, pin]) => [name, packageIdentity(pin)]).sort(),
        hold,
    ]);
}

function toRecord(update: StackUpdate): UpdateRecord {
    return {
        version: update.version,
        kind: update.kind,
        result: update.result,
        startTime: update.startTime,
        endTime: update.endTime ?? null,
        message: update.message,
        ...(update.resourceChanges ? { resourceChanges: update.resourceChanges } : {}),
    };
}

function object(value: unknown): Record<string, unknown> {
    return isObject(value) ? value : {};
}

function isObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * One line per pin change for people: `service backend: 2023.04.2@sha256:4c1b1b2f0a6f -> 2023.05.1@sha256:...`,
 * the changed init containers and sidecars after it: `(sidecar proxy: 2.0.1 → 2.0.2)`.
 */
export function describeChange(change: PinChangeRecord): string {
    const show = (pin: PinView | null) => (pin === null ? "(none)" : pin.version ?? describeService(pin as RawPin) ?? "");
    const containers = change.containers?.length ? ` (${change.containers.join("; ")})` : "";
    return `${change.kind} ${change.name}: ${show(change.before)} -> ${show(change.after)}${containers}`;
}
