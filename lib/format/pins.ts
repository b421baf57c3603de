import type { PackagePin, Provenance, ServicePin, StackConfig } from "../model";
import { containerLines, diffPin, direction, type Direction, promotedArtifact, samePin, shortPin } from "../pin";

/** A pin reduced to what the tables show: image, tag, digest (services) or version (packages). */
export interface PinView {
    readonly image?: string;
    readonly tag?: string;
    readonly digest?: string;
    readonly version?: string;
}

/** One row of the pin matrix: a service or package across every stack. */
export interface MatrixRow {
    readonly kind: "service" | "package";
    readonly name: string;
    /** Stack name -> pin, or null when the stack does not have it. */
    readonly stacks: Readonly<Record<string, PinView | null>>;
    /** The stacks do not all run the same pin. */
    readonly drift: boolean;
    /** The service's init containers or sidecars are not the same on every stack that has it. */
    readonly containersDiffer: boolean;
    /** Stacks that do not have this service or package. */
    readonly missing: readonly string[];
    /** The same image:tag resolves to different digests on different stacks: the tag was re-pushed. */
    readonly tagMoved: boolean;
}

/** The main image of a service pin (image, tag, digest), as tables and `--json` show it. */
export function servicePinView(pin: ServicePin): PinView {
    return { image: pin.image, tag: pin.tag, digest: pin.digest };
}

/** A pin in a table cell: the version, or `tag@sha256:<12 hex>`; `none` when there is no pin. */
export function pinText(pin: PinView | null | undefined, none = "-"): string {
    if (!pin) return none;
    return pin.version !== undefined ? pin.version : shortPin(pin);
}

/** The identifying part of a package pin (version). */
export function packagePinView(pin: PackagePin): PinView {
    return { version: pin.version };
}

/** The pin matrix over stacks (already in promotion order): service rows first, then packages, each in first-seen order. */
export function pinMatrix(stacks: readonly StackConfig[]): MatrixRow[] {
    const rows: MatrixRow[] = [];
    const serviceIndex = stacks.map((s) => new Map(s.services.map((p) => [p.name, p])));
    const packageIndex = stacks.map((s) => new Map(s.packages.map((p) => [p.name, p])));
    for (const name of unique(stacks.flatMap((s) => s.services.map((p) => p.name)))) {
        const pins = serviceIndex.map((index) => index.get(name) ?? null);
        const present = pins.filter((p): p is ServicePin => p !== null);
        const containersDiffer = present.some((p) => diffPin(present[0], p, p.scheme).containers.length > 0);
        const drift = present.length < pins.length || present.some((p) => !samePin(present[0], p, { digests: "exact" }));
        rows.push(row("service", name, stacks, pins.map((p) => (p ? servicePinView(p) : null)), drift, containersDiffer));
    }
    for (const name of unique(stacks.flatMap((s) => s.packages.map((p) => p.name)))) {
        const pins = packageIndex.map((index) => index.get(name) ?? null);
        const present = pins.filter((p): p is PackagePin => p !== null);
        const drift = present.length < pins.length || present.some((p) => p.version !== present[0].version);
        rows.push(row("package", name, stacks, pins.map((p) => (p ? packagePinView(p) : null)), drift, false));
    }
    return rows;
}

function row(kind: MatrixRow["kind"], name: string, stacks: readonly StackConfig[], views: readonly (PinView | null)[], drift: boolean, containersDiffer: boolean): MatrixRow {
    const cells: Record<string, PinView | null> = {};
    stacks.forEach((s, i) => (cells[s.stack] = views[i]));
    const missing = stacks.filter((_, i) => views[i] === null).map((s) => s.stack);
    const digestsByTag = new Map<string, Set<string>>();
    for (const p of views) {
        if (!p?.tag || !p.digest) continue;
        const key = `${p.image}:${p.tag}`;
        digestsByTag.set(key, (digestsByTag.get(key) ?? new Set()).add(p.digest));
    }
    const tagMoved = [...digestsByTag.values()].some((set) => set.size > 1);
    return { kind, name, stacks: cells, drift, containersDiffer, missing, tagMoved };
}

/**
 * What a change does to one pin: `add` (new), `update` (moved), `unchanged`, `remove` (the pin
 * is gone), `only-in-target` (promotion leaves the target's pin as it is).
 */
export type ChangeKind = "add" | "update" | "unchanged" | "remove" | "only-in-target";

/**
 * One pin changed, as every command shows it: which pin, what kind of change, the pin before
 * and after, and its init container and sidecar lines (lib/pin's diffPin). Each view extends
 * it with what it adds: PinComparison (diff, the PR comment), PinMove (promote, rollback,
 * hold), PinChangeRecord (history).
 */
export interface PinChange {
    readonly kind: "service" | "package";
    readonly name: string;
    readonly change: ChangeKind;
    /** The pin before (the target now, the base); null when there was none. */
    readonly before: PinView | null;
    /** The pin after (what promotion gives, the working copy); null when there is none. */
    readonly after: PinView | null;
    /** The init containers and sidecars the change moves, one line each; absent when none. */
    readonly containers?: readonly string[];
}

/**
 * Two stacks' pins compared: `pinstack diff` (the target now, and after promotion) and the pull
 * request comment (the base, and the working copy), both from lib/pin's diffPin.
 */
export interface PinComparison extends PinChange {
    /** For updates whose versions can be ordered: is it a move forward? */
    readonly direction: Direction;
    /** Notes people should see (digest resolved at promotion, image repository changes, ...). */
    readonly notes: readonly string[];
    /** Review: the new pin's provenance (written by `pinstack promote` / `rollback`). */
    readonly provenance?: Provenance;
    /** Review: whether that provenance's seal matches the pin; absent when there is none. */
    readonly sealValid?: boolean;
    /** Review: only the provenance changed (the same artifact promoted again). */
    readonly provenanceOnly?: boolean;
}

/**
 * What `pinstack promote <from> <to>` would change in <to>: every service and package of
 * <from> compared with <to>'s pin, plus <to>'s pins that <from> lacks (left as they are).
 * A service is unchanged exactly when promote would not move it (lib/pin's samePin, as promote asks).
 */
export function promotionChanges(from: StackConfig, to: StackConfig, options: { targetRequiresDigest?: boolean } = {}): PinComparison[] {
    const changes: PinComparison[] = [];
    const targetServices = new Map(to.services.map((s) => [s.name, s]));
    for (const source of from.services) {
        const target = targetServices.get(source.name);
        const notes: string[] = [];
        if (options.targetRequiresDigest && !source.digest && source.tag) notes.push(`${to.stack} requires a digest: promote resolves ${source.tag} to one`);
        if (target && target.image !== source.image) notes.push(`image repository changes from ${target.image} to ${source.image}`);
        const unchanged = target !== undefined && samePin(source, target, { digests: "where-pinned", requireDigest: options.targetRequiresDigest, extraInHave: "ignore" });
        const containers = target ? containerLines(diffPin(target, promotedArtifact(source, target), source.scheme)) : [];
        changes.push({
            kind: "service",
            name: source.name,
            change: !target ? "add" : unchanged ? "unchanged" : "update",
            before: target ? servicePinView(target) : null,
            after: servicePinView(source),
            direction: direction(source.scheme, target?.tag, source.tag),
            notes,
            ...(containers.length > 0 ? { containers } : {}),
        });
    }
    for (const target of to.services) {
        if (!from.services.some((s) => s.name === target.name)) {
            changes.push({ kind: "service", name: target.name, change: "only-in-target", before: servicePinView(target), after: null, direction: "same", notes: [`${from.stack} has no ${target.name}; promote leaves it as it is`] });
        }
    }
    const targetPackages = new Map(to.packages.map((p) => [p.name, p]));
    for (const source of from.packages) {
        const target = targetPackages.get(source.name);
        changes.push({
            kind: "package",
            name: source.name,
            change: !target ? "add" : target.version === source.version ? "unchanged" : "update",
            before: target ? packagePinView(target) : null,
            after: packagePinView(source),
            direction: direction("pep440", target?.version, source.version),
            notes: [],
        });
    }
    for (const target of to.packages) {
        if (!from.packages.some((p) => p.name === target.name)) {
            changes.push({ kind: "package", name: target.name, change: "only-in-target", before: packagePinView(target), after: null, direction: "same", notes: [`${from.stack} has no ${target.name}; promote leaves it as it is`] });
        }
    }
    return changes;
}

function unique(names: string[]): string[] {
    return [...new Set(names)];
}
