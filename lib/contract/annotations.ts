import { EXTRA_CONTAINER_LISTS, type ContainerList, pinReference } from "../pin";
import type { ExtraContainer, Provenance, SchemeName, SignatureRecord } from "../model";
import { ImageReference, parseReference } from "../reference";
import { AnnotationKeys } from "./labels";

/**
 * The annotations that carry a pin from the program to the policy pack: ServiceRelease
 * writes them with the encoders here, the pack reads them with the decoders, so the two
 * sides cannot drift apart (tests/unit/lib/contract.test.ts round-trips each).
 */

/** Annotations describing one pin and where it came from; empty values are left out. */
export function pinAnnotations(pin: {
    readonly reference: string;
    readonly scheme: SchemeName;
    readonly provenance?: Provenance;
    readonly initContainers?: readonly ExtraContainer[];
    readonly sidecars?: readonly ExtraContainer[];
}): Record<string, string> {
    const annotations: Record<string, string> = {
        [AnnotationKeys.pin]: pin.reference,
        [AnnotationKeys.scheme]: pin.scheme,
    };
    const containers = encodeContainers(pin);
    if (containers) annotations[AnnotationKeys.containers] = containers;
    if (pin.provenance) Object.assign(annotations, encodeProvenance(pin.provenance));
    return annotations;
}

/** The provenance annotations; the flags only when true. */
export function encodeProvenance(provenance: Provenance): Record<string, string> {
    const annotations: Record<string, string> = {
        [AnnotationKeys.promotedFrom]: provenance.from,
        [AnnotationKeys.promotedBy]: provenance.by,
        [AnnotationKeys.promotedAt]: provenance.at,
        [AnnotationKeys.reason]: provenance.reason,
        [AnnotationKeys.seal]: provenance.seal,
    };
    if (provenance.rollback) annotations[AnnotationKeys.rollback] = "true";
    if (provenance.allowUndeployed) annotations[AnnotationKeys.allowUndeployed] = "true";
    if (provenance.signatures?.length) annotations[AnnotationKeys.signatures] = JSON.stringify(provenance.signatures.map((s) => ({ image: s.image, digest: s.digest, key: s.key, keyDigest: s.keyDigest, ...(s.verifiedAt ? { verifiedAt: s.verifiedAt } : {}) })));
    return annotations;
}

/** Every key encodeProvenance may write, for a reader that must check them all (e.g. for unknown values). */
export const PROVENANCE_KEYS = [
    AnnotationKeys.promotedFrom,
    AnnotationKeys.promotedAt,
    AnnotationKeys.promotedBy,
    AnnotationKeys.reason,
    AnnotationKeys.seal,
    AnnotationKeys.rollback,
    AnnotationKeys.allowUndeployed,
    AnnotationKeys.signatures,
] as const;

/** The provenance annotations back; undefined when there are none. `get` returns a key's value, undefined when absent. */
export function decodeProvenance(get: (key: string) => string | undefined): Provenance | undefined {
    const from = get(AnnotationKeys.promotedFrom);
    const seal = get(AnnotationKeys.seal);
    if (from === undefined && seal === undefined) return undefined;
    return {
        from: from ?? "",
        at: get(AnnotationKeys.promotedAt) ?? "",
        by: get(AnnotationKeys.promotedBy) ?? "",
        reason: get(AnnotationKeys.reason) ?? "",
        seal: seal ?? "",
        ...(get(AnnotationKeys.rollback) === "true" ? { rollback: true } : {}),
        ...(get(AnnotationKeys.allowUndeployed) === "true" ? { allowUndeployed: true } : {}),
        ...signaturesOf(get(AnnotationKeys.signatures)),
    };
}

/**
 * The signature records back. A value that is not a list of records is left out: the seal
 * covers the records, so the provenance then fails its seal rather than pass unsigned.
 */
function signaturesOf(text: string | undefined): { signatures?: SignatureRecord[] } {
    if (text === undefined) return {};
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        return {};
    }
    if (!Array.isArray(value)) return {};
    const records: SignatureRecord[] = [];
    for (const item of value) {
        const r = item as Record<string, unknown>;
        if (typeof r?.image !== "string" || typeof r.digest !== "string" || typeof r.key !== "string" || typeof r.keyDigest !== "string") return {};
        if (r.verifiedAt !== undefined && typeof r.verifiedAt !== "string") return {};
        records.push({ image: r.image, digest: r.digest, key: r.key, keyDigest: r.keyDigest, ...(typeof r.verifiedAt === "string" ? { verifiedAt: r.verifiedAt } : {}) });
    }
    return records.length > 0 ? { signatures: records } : {};
}

/**
 * The value of `pinstack.dev/containers`, or undefined for a pin without containers. JSON,
 * lists in order: `{"initContainers":[{"name":"migrate","pin":"repo:tag@digest"}],"sidecars":[...]}`.
 */
export function encodeContainers(pin: { readonly initContainers?: readonly ExtraContainer[]; readonly sidecars?: readonly ExtraContainer[] }): string | undefined {
    const out: Record<string, { name: string; pin: string }[]> = {};
    for (const list of EXTRA_CONTAINER_LISTS) {
        const containers = pin[list] ?? [];
        if (containers.length > 0) out[list] = containers.map((c) => ({ name: c.name, pin: pinReference(c) }));
    }
    return Object.keys(out).length > 0 ? JSON.stringify(out) : undefined;
}

/** A container `pinstack.dev/containers` declares: its list, name and pinned reference. */
export interface DeclaredContainer {
    readonly list: ContainerList;
    readonly name: string;
    readonly ref: ImageReference;
}

export type ContainersDecoding = { readonly ok: true; readonly containers: readonly DeclaredContainer[] } | { readonly ok: false; readonly why: string };

/** `pinstack.dev/containers` back, lists in order; `why` completes "its annotation ..." when it is malformed. */
export function decodeContainers(text: string): ContainersDecoding {
    const malformed = (why: string): ContainersDecoding => ({ ok: false, why });
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        return malformed("is not JSON");
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) return malformed("is not a JSON object");
    const lists = value as Record<string, unknown>;
    const unknownList = Object.keys(lists).find((key) => !(EXTRA_CONTAINER_LISTS as readonly string[]).includes(key));
    if (unknownList) return malformed(`has a list ${JSON.stringify(unknownList)} (only ${EXTRA_CONTAINER_LISTS.join(", ")})`);
    const containers: DeclaredContainer[] = [];
    for (const list of EXTRA_CONTAINER_LISTS) {
        const items = lists[list] ?? [];
        if (!Array.isArray(items)) return malformed(`has ${list} that is not a list`);
        for (const item of items) {
            const name = item?.name;
            const pin = item?.pin;
            if (typeof name !== "string" || typeof pin !== "string") return malformed(`has an entry in ${list} without a name and pin`);
            const parsed = parseReference(pin);
            if (!parsed.ok) return malformed(`pins ${list} ${name} to ${JSON.stringify(pin)}, which is not an image reference (${parsed.error})`);
            containers.push({ list, name, ref: parsed.ref });
        }
    }
    return { ok: true, containers };
}

export type PinDecoding = { readonly ok: true; readonly ref: ImageReference } | { readonly ok: false; readonly why: string };

/** `pinstack.dev/pin` back: the reference ServiceRelease wrote (pinReference of the pin). */
export function decodePin(text: string): PinDecoding {
    const parsed = parseReference(text);
    return parsed.ok ? { ok: true, ref: parsed.ref } : { ok: false, why: `is not an image reference (${parsed.error})` };
}
