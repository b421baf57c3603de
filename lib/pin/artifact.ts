import { EXTRA_CONTAINER_LISTS, type ExtraContainer } from "../model";

/** One image as config pins it: a repository and an optional tag and digest. */
export interface ImagePin {
    readonly image: string;
    readonly tag?: string;
    readonly digest?: string;
}

/**
 * What a service runs, and so what "the same pin" means: its main image and its init
 * containers and sidecars, each list in pod order (init containers run in it). A ServicePin
 * is one; so is the seal's subject and what the policy pack reads back from a workload.
 */
export interface Artifact extends ImagePin {
    readonly initContainers?: readonly ExtraContainer[];
    readonly sidecars?: readonly ExtraContainer[];
}

export type ContainerList = (typeof EXTRA_CONTAINER_LISTS)[number];

export { EXTRA_CONTAINER_LISTS };

/** What one member of each list is called in messages. */
export const CONTAINER_KIND: Readonly<Record<ContainerList, string>> = { initContainers: "init container", sidecars: "sidecar" };

/**
 * The artifact of a service entry as written in a stack file or recorded with an update
 * (raw config values: numbers for tags, empty strings), so history and rollback compare
 * recorded pins exactly as they compare parsed ones.
 */
export function artifactOfEntry(entry: Readonly<Record<string, unknown>>): Artifact {
    const out: { image: string; tag?: string; digest?: string; initContainers?: ExtraContainer[]; sidecars?: ExtraContainer[] } = { image: text(entry.image) ?? "" };
    const tag = text(entry.tag);
    const digest = text(entry.digest);
    if (tag !== undefined) out.tag = tag;
    if (digest !== undefined) out.digest = digest;
    for (const list of EXTRA_CONTAINER_LISTS) {
        const raw = entry[list];
        if (!Array.isArray(raw)) continue;
        const containers = raw.filter(isRecord).map((c) => imageOf({ image: text(c.image) ?? "", tag: text(c.tag), digest: text(c.digest) }, text(c.name) ?? ""));
        if (containers.length > 0) out[list] = containers;
    }
    return out;
}

/** Every extra container of an artifact with its list, in pod order. */
export function extraContainers(pin: Artifact): { list: ContainerList; container: ExtraContainer }[] {
    return EXTRA_CONTAINER_LISTS.flatMap((list) => (pin[list] ?? []).map((container) => ({ list, container })));
}

function imageOf(pin: ImagePin, name: string): ExtraContainer {
    const out: { name: string; image: string; tag?: string; digest?: string } = { name, image: pin.image };
    if (pin.tag !== undefined && pin.tag !== "") out.tag = pin.tag;
    if (pin.digest !== undefined && pin.digest !== "") out.digest = pin.digest;
    return out;
}

/** A config value as text; undefined when absent or empty. */
function text(value: unknown): string | undefined {
    return value === undefined || value === null || value === "" ? undefined : String(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}
