import { formatReference, type ImageReference } from "../reference";
import type { ImagePin } from "./artifact";

/** `repo:tag@digest`, each part only when present: the form Kubernetes pulls and the pack reads back (lib/reference's grammar). */
export function pinReference(pin: ImagePin): string {
    return formatReference({ name: pin.image, tag: pin.tag, digest: pin.digest });
}

/** A parsed reference as a pin (lib/reference spells "none" as ""). */
export function pinOfReference(ref: Pick<ImageReference, "name" | "tag" | "digest">): ImagePin {
    return { image: ref.name, ...(ref.tag ? { tag: ref.tag } : {}), ...(ref.digest ? { digest: ref.digest } : {}) };
}

/** `sha256:` and the first 12 hex digits, as `docker images` shows them; "" for none. */
export function shortDigest(digest: string | undefined): string {
    if (!digest) return "";
    const colon = digest.indexOf(":");
    return colon < 0 ? digest.slice(0, 12) : `${digest.slice(0, colon)}:${digest.slice(colon + 1, colon + 13)}`;
}

/** `tag@sha256:<12 hex>` (the repository left out), `(no tag)` for a pin without one. */
export function shortPin(pin: Omit<ImagePin, "image">): string {
    const tag = pin.tag ?? "(no tag)";
    return pin.digest ? `${tag}@${shortDigest(pin.digest)}` : tag;
}
