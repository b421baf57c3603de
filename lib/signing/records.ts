import { EXTRA_CONTAINER_LISTS, type ExtraContainer, type Provenance, type SignatureRecord } from "../model";
import { Trust, validityProblem } from "./keys";

/**
 * The offline half: `pinstack check` and the policy pack cannot ask a registry, so they judge
 * what promote recorded. Every image a pin runs needs a record for its exact digest, by a key
 * that is still trusted (same id and key digest) and was valid when promote verified it
 * (the provenance's `at`, or the record's own `verifiedAt` when a rollback carried it). Removing a key from the trust list revokes what it verified.
 */

/** An image of a pin, named for messages. */
export interface PinnedImage {
    readonly image: string;
    readonly digest?: string;
    /** `service backend`, `sidecar envoy of service backend`. */
    readonly what: string;
}

/** The images a service pin runs: its own, then its init containers' and sidecars'. */
export function pinnedImages(pin: {
    readonly name: string;
    readonly image: string;
    readonly digest?: string;
    readonly initContainers?: readonly Pick<ExtraContainer, "name" | "image" | "digest">[];
    readonly sidecars?: readonly Pick<ExtraContainer, "name" | "image" | "digest">[];
}): PinnedImage[] {
    const out: PinnedImage[] = [{ image: pin.image, digest: pin.digest, what: `service ${pin.name}` }];
    for (const list of EXTRA_CONTAINER_LISTS) {
        const kind = list === "initContainers" ? "init container" : "sidecar";
        for (const c of pin[list] ?? []) out.push({ image: c.image, digest: c.digest, what: `${kind} ${c.name} of service ${pin.name}` });
    }
    return out;
}

/** What is wrong with the recorded signatures of these images; empty when each is verified by a trusted key. */
export function recordedSignatureProblems(images: readonly PinnedImage[], provenance: Provenance | undefined, trust: Trust): string[] {
    const problems: string[] = [];
    const records = provenance?.signatures ?? [];
    for (const image of images) {
        if (!image.digest) {
            problems.push(`${image.what} (${image.image}) pins no digest, so no signature can be bound to what it runs`);
            continue;
        }
        const ref = `${image.image}@${image.digest}`;
        const record = records.find((r) => r.digest === image.digest && r.image === image.image);
        if (!record) {
            problems.push(`${image.what} (${ref}) has no verified signature in its provenance`);
            continue;
        }
        const at = record.verifiedAt ?? provenance?.at;
        const problem = recordProblem(record, at === undefined ? undefined : new Date(at), trust);
        if (problem) problems.push(`${image.what} (${ref}) ${problem}`);
    }
    return problems;
}

function recordProblem(record: SignatureRecord, at: Date | undefined, trust: Trust): string | undefined {
    const key = trust.keys.find((k) => k.id === record.key);
    if (!key) return `was verified by key ${record.key}, which ${trust.where} does not trust (any more)`;
    if (key.keyDigest !== record.keyDigest) return `was verified by a key ${record.key} whose digest ${record.keyDigest} is not that of the trusted key ${key.id} (${key.keyDigest})`;
    if (!at || Number.isNaN(at.getTime())) return "has a provenance without a valid time, so when its signature was verified is unknown";
    const invalid = validityProblem(key, at);
    if (invalid) return `was verified at ${at.toISOString().replace(/\.000Z$/, "Z")}, when ${invalid}`;
    return undefined;
}
