import type { PackagePin, ServicePin, StackConfig } from "../model";
import { schemes } from "../schemes";

/** A pin reduced to what identifies the artifact: image, tag, digest (services) or version (packages). */
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
    /** Stacks that do not have this service or package. */
    readonly missing: readonly string[];
    /** The same image:tag resolves to different digests on different stacks: the tag was re-pushed. */
    readonly tagMoved: boolean;
}

/** The identifying part of a service pin (image, tag, digest). */
export function servicePinView(pin: ServicePin): PinView {
    return { image: pin.image, tag: pin.tag, digest: pin.digest };
}

/** The identifying part of a package pin (version). */
export function packagePinView(pin: PackagePin): PinView {
    return { version: pin.version };
}

/** True when two pins name the same artifact. A missing digest on one side does not count as a difference of digest. */
export function samePin(a: PinView | null | undefined, b: PinView | null | undefined): boolean {
    if (!a || !b) return a === b;
    return a.image === b.image && a.tag === b.tag && a.version === b.version && (a.digest === b.digest || !a.digest || !b.digest);
}

/** The pin matrix over stacks (already in promotion order): service rows first, then packages, each in first-seen order. */
export function pinMatrix(stacks: readonly StackConfig[]): MatrixRow[] {
    const rows: MatrixRow[] = [];
    const build = (kind: "service" | "package", names: string[], pick: (s: StackConfig, name: string) => PinView | null) => {
        for (const name of names) {
            const cells: Record<string, PinView | null> = {};
            for (const s of stacks) cells[s.stack] = pick(s, name);
            const present = Object.values(cells).filter((c): c is PinView => c !== null);
            const missing = stacks.filter((s) => cells[s.stack] === null).map((s) => s.stack);
            const drift = missing.length > 0 || present.some((p) => !samePin(p, present[0]) || p.digest !== present[0].digest);
            const digestsByTag = new Map<string, Set<string>>();
            for (const p of present) {
                if (!p.tag || !p.digest) continue;
                const key = `${p.image}:${p.tag}`;
                digestsByTag.set(key, (digestsByTag.get(key) ?? new Set()).add(p.digest));
            }
            const tagMoved = [...digestsByTag.values()].some((set) => set.size > 1);
            rows.push({ kind, name, stacks: cells, drift, missing, tagMoved });
        }
    };
    const serviceIndex = stacks.map((s) => new Map(s.services.map((p) => [p.name, p])));
    const packageIndex = stacks.map((s) => new Map(s.packages.map((p) => [p.name, p])));
    build("service", unique(stacks.flatMap((s) => s.services.map((p) => p.name))), (s, name) => {
        const pin = serviceIndex[stacks.indexOf(s)].get(name);
        return pin ? servicePinView(pin) : null;
    });
    build("package", unique(stacks.flatMap((s) => s.packages.map((p) => p.name))), (s, name) => {
        const pin = packageIndex[stacks.indexOf(s)].get(name);
        return pin ? packagePinView(pin) : null;
    });
    return rows;
}

/** What promoting one pin would do to the target. */
export type ChangeKind = "update" | "add" | "unchanged" | "only-in-target";

/** One line of a promotion diff. */
export interface PinChange {
    readonly kind: "service" | "package";
    readonly name: string;
    readonly change: ChangeKind;
    /** The target's pin now (null when it has none). */
    readonly current: PinView | null;
    /** The pin the source stack would give it (null when the source has none). */
    readonly proposed: PinView | null;
    /** For updates whose versions can be ordered: is it a move forward? */
    readonly direction: "upgrade" | "downgrade" | "same" | "unordered";
    /** Notes people should see (digest resolved at promotion, image repository changes, ...). */
    readonly notes: readonly string[];
}

/**
 * What `pinstack promote <from> <to>` would change in <to>: every service and package of
 * <from> compared with <to>'s pin, plus <to>'s pins that <from> lacks (left as they are).
 */
export function pinDiff(from: StackConfig, to: StackConfig, options: { targetRequiresDigest?: boolean } = {}): PinChange[] {
    const changes: PinChange[] = [];
    const targetServices = new Map(to.services.map((s) => [s.name, s]));
    for (const source of from.services) {
        const target = targetServices.get(source.name);
        const proposed = servicePinView(source);
        const current = target ? servicePinView(target) : null;
        const notes: string[] = [];
        if (options.targetRequiresDigest && !source.digest && source.tag) notes.push(`${to.stack} requires a digest: promote resolves ${source.tag} to one`);
        if (target && target.image !== source.image) notes.push(`image repository changes from ${target.image} to ${source.image}`);
        const unchanged = current !== null && samePin(current, proposed) && (!!current.digest || !proposed.digest);
        changes.push({
            kind: "service",
            name: source.name,
            change: !current ? "add" : unchanged ? "unchanged" : "update",
            current,
            proposed,
            direction: direction(source.scheme, target?.tag, source.tag),
            notes,
        });
    }
    for (const target of to.services) {
        if (!from.services.some((s) => s.name === target.name)) {
            changes.push({ kind: "service", name: target.name, change: "only-in-target", current: servicePinView(target), proposed: null, direction: "same", notes: [`${from.stack} has no ${target.name}; promote leaves it as it is`] });
        }
    }
    const targetPackages = new Map(to.packages.map((p) => [p.name, p]));
    for (const source of from.packages) {
        const target = targetPackages.get(source.name);
        const current = target ? packagePinView(target) : null;
        changes.push({
            kind: "package",
            name: source.name,
            change: !current ? "add" : current.version === source.version ? "unchanged" : "update",
            current,
            proposed: packagePinView(source),
            direction: direction("pep440", target?.version, source.version),
            notes: [],
        });
    }
    for (const target of to.packages) {
        if (!from.packages.some((p) => p.name === target.name)) {
            changes.push({ kind: "package", name: target.name, change: "only-in-target", current: packagePinView(target), proposed: null, direction: "same", notes: [`${from.stack} has no ${target.name}; promote leaves it as it is`] });
        }
    }
    return changes;
}

function direction(schemeName: keyof typeof schemes, current: string | undefined, proposed: string | undefined): PinChange["direction"] {
    if (current === undefined || proposed === undefined) return current === proposed ? "same" : "unordered";
    if (current === proposed) return "same";
    const scheme = schemes[schemeName];
    if (!scheme.ordered || !scheme.parse(current).ok || !scheme.parse(proposed).ok) return "unordered";
    const order = scheme.compare(proposed, current);
    return order > 0 ? "upgrade" : order < 0 ? "downgrade" : "same";
}

function unique(names: string[]): string[] {
    return [...new Set(names)];
}
