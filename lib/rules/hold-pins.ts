import type { ExtraContainer } from "../model";
import { type Artifact, artifactOfEntry, containerLines, diffPin, type DigestRule, EXTRA_CONTAINER_LISTS, pinKey, samePin, shortPin } from "../pin";

/**
 * The one decision of hold, shared by lib's `hold` rule (`pinstack check`, `pinstack ci
 * hold-gate`) and the policy pack's `hold` policy: while a stack is on hold, what it is about
 * to run must be what it runs now, service for service and package for package, except that
 * a pin may go back to one the stack's own successful updates ran before. A rollback provenance
 * (`rollback: true` and a seal) is not evidence of that: the seal is a hash anyone can compute
 * over any pin, so only the stack's history can say a pin ran before.
 */

/** What a stack runs (or is about to run): per service its artifact, per package its version. */
export interface PinState {
    readonly services: ReadonlyMap<string, Artifact>;
    readonly packages: ReadonlyMap<string, string>;
}

/** Per service and package, every pin the stack's successful updates ran (lib/history's earlierPinsOf). */
export interface EarlierPins {
    readonly services: ReadonlyMap<string, readonly Artifact[]>;
    readonly packages: ReadonlyMap<string, readonly string[]>;
}

export interface HoldChange {
    readonly kind: "service" | "package";
    readonly name: string;
    readonly change: "add" | "remove" | "update";
    /** Why it may not run while the stack is on hold, one clause. */
    readonly why: string;
}

export interface HoldCompareOptions {
    /**
     * How the deployed pins' digests count: `exact` when both sides are config (the deployed
     * commit), `where-pinned` when the deployed side is what the pods pull (a tag-only pin's
     * resolved digest, from the `pins` output).
     */
    readonly deployedDigests: DigestRule;
    /** Where the earlier pins were to come from, for the message when there are none (`--history`, `hold.earlier`). */
    readonly historySource: string;
}

/**
 * Every difference between `next` and `deployed` that hold refuses. A service or package
 * removed, or added, or moved is refused unless its new pin is one `earlier` records for it;
 * without `earlier` nothing can be shown to have run before, so every difference is refused.
 */
export function holdChanges(next: PinState, deployed: PinState, earlier: EarlierPins | undefined, options: HoldCompareOptions): HoldChange[] {
    const changes = [
        ...[...next.services].map(([name, pin]) => serviceHoldChange(name, pin, deployed.services.get(name), earlier, options)),
        ...[...deployed.services].filter(([name]) => !next.services.has(name)).map(([name, pin]) => serviceHoldChange(name, undefined, pin, earlier, options)),
        ...[...next.packages].map(([name, version]) => packageHoldChange(name, version, deployed.packages.get(name), earlier, options)),
        ...[...deployed.packages].filter(([name]) => !next.packages.has(name)).map(([name, version]) => packageHoldChange(name, undefined, version, earlier, options)),
    ];
    return changes.filter((c): c is HoldChange => c !== undefined);
}

/** Hold's decision for one service: undefined when it may run `next` (undefined: not at all). */
export function serviceHoldChange(name: string, next: Artifact | undefined, deployed: Artifact | undefined, earlier: EarlierPins | undefined, options: HoldCompareOptions): HoldChange | undefined {
    if (!next) return deployed ? { kind: "service", name, change: "remove", why: `removed: it runs ${describeArtifact(deployed)} now, and a removal is not a return to a pin` } : undefined;
    if (deployed && samePin(next, deployed, { digests: options.deployedDigests })) return undefined;
    const why = unproven(earlier ? earlier.services.get(name)?.some((e) => samePin(next, e, { digests: "exact" })) ?? false : undefined, options);
    if (!why) return undefined;
    const from = deployed ? `moved from the deployed ${describeArtifact(deployed, next)}` : "added (not deployed now)";
    return { kind: "service", name, change: deployed ? "update" : "add", why: `${from} to ${describeArtifact(next)}, and ${why}` };
}

/** Hold's decision for one package: undefined when it may run `next` (undefined: not at all). */
export function packageHoldChange(name: string, next: string | undefined, deployed: string | undefined, earlier: EarlierPins | undefined, options: HoldCompareOptions): HoldChange | undefined {
    if (next === undefined) return deployed !== undefined ? { kind: "package", name, change: "remove", why: `removed: ${deployed} is deployed now, and a removal is not a return to a pin` } : undefined;
    if (next === deployed) return undefined;
    const why = unproven(earlier ? earlier.packages.get(name)?.includes(next) ?? false : undefined, options);
    if (!why) return undefined;
    const from = deployed !== undefined ? `moved from the deployed ${deployed}` : "added (not deployed now)";
    return { kind: "package", name, change: deployed !== undefined ? "update" : "add", why: `${from} to ${next}, and ${why}` };
}

/** Why a moved pin is not a return (`ran`: whether the history shows it; undefined: no history), or undefined when it is. */
function unproven(ran: boolean | undefined, options: HoldCompareOptions): string | undefined {
    if (ran === undefined) return `no update history was given (${options.historySource}) to show the stack ran it before`;
    return ran ? undefined : "the stack's update history has no successful update that ran it";
}

/** `tag@digest`, with the init containers and sidecars that differ from `other` when given. */
function describeArtifact(pin: Artifact, other?: Artifact): string {
    const own = `${pin.image}:${shortPin(pin)}`;
    if (!other) return own;
    const lines = containerLines(diffPin(pin, other, "any"));
    return lines.length > 0 ? `${own} (${lines.join("; ")})` : own;
}

/** The pins of several states (one per successful update), each pin once per service or package. */
export function collectEarlierPins(states: Iterable<PinState>): EarlierPins {
    const services = new Map<string, Artifact[]>();
    const packages = new Map<string, string[]>();
    for (const state of states) {
        for (const [name, pin] of state.services) {
            const list = services.get(name) ?? [];
            if (!list.some((p) => pinKey(p) === pinKey(pin))) list.push(pin);
            services.set(name, list);
        }
        for (const [name, version] of state.packages) {
            const list = packages.get(name) ?? [];
            if (!list.includes(version)) list.push(version);
            packages.set(name, list);
        }
    }
    return { services, packages };
}

/** The JSON form of EarlierPins in the policy pack's config (`hold.earlier`): written by `pinstack ci policy-config`, read by the pack. */
export interface EarlierPinsJson {
    readonly services: Readonly<Record<string, readonly Artifact[]>>;
    readonly packages: Readonly<Record<string, readonly string[]>>;
}

export function earlierPinsToJson(earlier: EarlierPins): EarlierPinsJson {
    const services: Record<string, Artifact[]> = {};
    for (const [name, pins] of earlier.services) services[name] = pins.map(plainArtifact);
    const packages: Record<string, string[]> = {};
    for (const [name, versions] of earlier.packages) packages[name] = [...versions];
    return { services, packages };
}

export type EarlierPinsDecoding = { readonly ok: true; readonly earlier: EarlierPins } | { readonly ok: false; readonly why: string };

/** Reads `hold.earlier` back; anything not in the shape earlierPinsToJson writes is refused (the pack fails closed on it). */
export function earlierPinsFromJson(value: unknown): EarlierPinsDecoding {
    if (!isRecord(value) || !isRecord(value.services) || !isRecord(value.packages)) return { ok: false, why: "is not an object with `services` and `packages` objects" };
    const services = new Map<string, Artifact[]>();
    for (const [name, pins] of Object.entries(value.services)) {
        if (!Array.isArray(pins) || !pins.every((p) => isRecord(p) && typeof p.image === "string" && p.image !== "")) {
            return { ok: false, why: `services.${name} is not a list of pins ({image, tag?, digest?, initContainers?, sidecars?})` };
        }
        services.set(name, pins.map((p) => artifactOfEntry(p as Record<string, unknown>)));
    }
    const packages = new Map<string, string[]>();
    for (const [name, versions] of Object.entries(value.packages)) {
        if (!Array.isArray(versions) || !versions.every((v) => typeof v === "string" && v !== "")) return { ok: false, why: `packages.${name} is not a list of versions` };
        packages.set(name, versions as string[]);
    }
    return { ok: true, earlier: { services, packages } };
}

function plainArtifact(pin: Artifact): Artifact {
    const image = (c: { image: string; tag?: string; digest?: string }) => ({ image: c.image, ...(c.tag !== undefined ? { tag: c.tag } : {}), ...(c.digest !== undefined ? { digest: c.digest } : {}) });
    const out: { image: string; tag?: string; digest?: string; initContainers?: ExtraContainer[]; sidecars?: ExtraContainer[] } = image(pin);
    for (const list of EXTRA_CONTAINER_LISTS) {
        const containers = pin[list] ?? [];
        if (containers.length > 0) out[list] = containers.map((c) => ({ name: c.name, ...image(c) }));
    }
    return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
