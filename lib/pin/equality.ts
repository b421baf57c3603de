import { extraContainers, type Artifact, type ImagePin } from "./artifact";

/**
 * How digests count when two pins are compared:
 * - `exact`: every digest equal, a missing one only to a missing one (history, drift, review);
 * - `where-pinned`: where `want` pins a digest `have` has the same one; `have` may carry a
 *   digest `want` lacks (a tag-only pin deploys with the digest it was resolved to);
 * - `by-content`: where `want` pins a digest it alone identifies the image (a tag is a name
 *   for content); otherwise as `where-pinned`.
 */
export type DigestRule = "exact" | "where-pinned" | "by-content";

export interface SameOptions {
    readonly digests: DigestRule;
    /** `have` must carry a digest for every image `want` names (a stack that requires digests). */
    readonly requireDigest?: boolean;
    /**
     * Containers `have` runs that `want` does not name: a difference (default), or ignored
     * (promote leaves a target's own containers, e.g. a production-only proxy, as they are).
     */
    readonly extraInHave?: "differ" | "ignore";
}

/**
 * True when `have` runs the artifact `want` names: the main image and every init container
 * and sidecar, each list in order. The one answer to "are these the same pin" — promote,
 * diff, status, history, rollback, the program and the pack all ask it here.
 */
export function samePin(want: Artifact, have: Artifact, options: SameOptions): boolean {
    if (!sameImage(want, have, options)) return false;
    const wanted = extraContainers(want);
    const had = extraContainers(have);
    for (const { list, container } of wanted) {
        const match = had.find((h) => h.list === list && h.container.name === container.name);
        if (!match || !sameImage(container, match.container, options)) return false;
    }
    // Left alone, the target's own containers keep their places too: only a full comparison counts order.
    if (options.extraInHave === "ignore") return true;
    if (had.some((h) => !wanted.some((w) => w.list === h.list && w.container.name === h.container.name))) return false;
    const order = (side: typeof wanted, other: typeof wanted) =>
        side.filter((s) => other.some((o) => o.list === s.list && o.container.name === s.container.name)).map((s) => `${s.list}/${s.container.name}`).join("\0");
    return order(wanted, had) === order(had, wanted);
}

function sameImage(want: ImagePin, have: ImagePin, options: SameOptions): boolean {
    if (want.image !== have.image) return false;
    if (options.requireDigest && !have.digest) return false;
    switch (options.digests) {
        case "exact":
            return want.tag === have.tag && want.digest === have.digest;
        case "where-pinned":
            return want.tag === have.tag && (!want.digest || want.digest === have.digest);
        case "by-content":
            return want.digest ? want.digest === have.digest : want.tag === have.tag;
    }
}

/**
 * A key for a pin in maps and recorded identities: two artifacts have the same key exactly
 * when samePin(a, b, { digests: "exact" }). A service without containers keeps the key it
 * had before containers counted, so older history still matches.
 */
export function pinKey(pin: Artifact): string {
    const own = [pin.image, pin.tag ?? "", pin.digest ?? ""];
    const lists = (["initContainers", "sidecars"] as const).map((list) => (pin[list] ?? []).map((c) => [c.name, c.image, c.tag ?? "", c.digest ?? ""]));
    return JSON.stringify(lists[0].length + lists[1].length > 0 ? [...own, ...lists] : own);
}
