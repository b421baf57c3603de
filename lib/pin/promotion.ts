import type { Color, ExtraContainer, ServicePin } from "../model";
import { EXTRA_CONTAINER_LISTS, type Artifact, type ImagePin } from "./artifact";

/**
 * The artifact a target runs once `source` is promoted onto it: the source's main image,
 * and each of the source's init containers and sidecars in the target's place for it (new
 * ones last); containers only the target has (its own, e.g. a production-only proxy) stay.
 */
export function promotedArtifact(source: Artifact, target: Artifact | undefined): Artifact {
    const out: { image: string; tag?: string; digest?: string; initContainers?: ExtraContainer[]; sidecars?: ExtraContainer[] } = { image: source.image };
    if (source.tag !== undefined) out.tag = source.tag;
    if (source.digest !== undefined) out.digest = source.digest;
    for (const list of EXTRA_CONTAINER_LISTS) {
        const merged = [...(target?.[list] ?? [])];
        for (const container of source[list] ?? []) {
            const at = merged.findIndex((c) => c.name === container.name);
            if (at >= 0) merged[at] = container;
            else merged.push(container);
        }
        if (merged.length > 0) out[list] = merged;
    }
    return out;
}

/** The colour a blue-green Service selects: blue until a promotion flips it. */
export function activeColor(pin: Pick<ServicePin, "activeColor">): Color {
    return pin.activeColor ?? "blue";
}

function otherColor(color: Color): Color {
    return color === "blue" ? "green" : "blue";
}

/**
 * The main image each colour of a blue-green service runs: the active colour the pin, the
 * other `previous` (the pin again while there is none, e.g. a service just added).
 */
export function colorImages(pin: Pick<ServicePin, "image" | "tag" | "digest" | "activeColor" | "previous">): Record<Color, ImagePin> {
    const current: ImagePin = { image: pin.image, tag: pin.tag, digest: pin.digest };
    const standby: ImagePin = pin.previous ? { image: pin.image, tag: pin.previous.tag, digest: pin.previous.digest } : current;
    const active = activeColor(pin);
    return { [active]: current, [otherColor(active)]: standby } as Record<Color, ImagePin>;
}

/**
 * The blue-green fields after a cutover: the pin running now becomes `previous` (the idle
 * colour keeps it for a fast switch back) and the other colour becomes active. Promote and
 * rollback (switching back) both write it.
 */
export function swappedColors(current: Pick<ServicePin, "tag" | "digest" | "activeColor">): { previous: { tag?: string; digest?: string }; activeColor: Color } {
    const previous: { tag?: string; digest?: string } = {};
    if (current.tag !== undefined) previous.tag = current.tag;
    if (current.digest !== undefined) previous.digest = current.digest;
    return { previous, activeColor: otherColor(activeColor(current)) };
}
