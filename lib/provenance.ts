import { createHash } from "crypto";
import type { ExtraContainer, PackagePin, Provenance, ServicePin } from "./model";

/** An init container or sidecar as a seal binds it: what it runs, by name. */
export type SealedContainer = Pick<ExtraContainer, "name" | "image" | "tag" | "digest">;

/**
 * What a provenance seal binds: the pin it was written for. A service is bound by name,
 * image, tag and digest, and by its init containers and sidecars — each list in order (init
 * containers run in it), each container by name, image, tag and digest — since they run in
 * the same pods and move with the service on promotion. A package is bound by name and version.
 */
export interface SealSubject {
    readonly kind: "service" | "package";
    readonly name: string;
    readonly image?: string;
    readonly tag?: string;
    readonly digest?: string;
    readonly version?: string;
    readonly initContainers?: readonly SealedContainer[];
    readonly sidecars?: readonly SealedContainer[];
}

/** A provenance before it is sealed. */
export type UnsealedProvenance = Omit<Provenance, "seal">;

const SEAL_DOMAIN = "pinstack-provenance/v1";

/**
 * `sha256:<hex>` over a canonical JSON of the subject and the provenance (sorted keys,
 * absent fields left out). Copying a provenance to another service, or editing the tag,
 * digest or version it was written for, a container of it, or any of from/at/by/reason,
 * breaks the seal. Empty container lists are left out like absent ones, so a service without
 * containers seals exactly as before containers were covered.
 *
 * Tamper-evident, not signed: anyone who can edit the file can recompute a seal with this
 * function. It catches hand edits and copy-paste mistakes; the review of the config change
 * and git history are what make a forged promotion visible.
 */
export function sealFor(subject: SealSubject, provenance: UnsealedProvenance): string {
    const canonical = canonicalJson({
        domain: SEAL_DOMAIN,
        subject: {
            kind: subject.kind,
            name: subject.name,
            image: subject.image,
            tag: subject.tag,
            digest: subject.digest,
            version: subject.version,
            initContainers: sealedContainers(subject.initContainers),
            sidecars: sealedContainers(subject.sidecars),
        },
        provenance: {
            from: provenance.from,
            at: provenance.at,
            by: provenance.by,
            reason: provenance.reason,
            allowUndeployed: provenance.allowUndeployed,
            rollback: provenance.rollback,
            breakGlass: provenance.breakGlass ? { freeze: provenance.breakGlass.freeze, until: provenance.breakGlass.until } : undefined,
            // Which key verified each image: a record edited or copied from another pin breaks the seal.
            signatures: provenance.signatures?.length ? provenance.signatures.map((s) => ({ image: s.image, digest: s.digest, key: s.key, keyDigest: s.keyDigest, verifiedAt: s.verifiedAt })) : undefined,
        },
    });
    return `sha256:${createHash("sha256").update(canonical).digest("hex")}`;
}

function sealedContainers(list: readonly SealedContainer[] | undefined): object[] | undefined {
    if (!list || list.length === 0) return undefined;
    return list.map((c) => ({ name: c.name, image: c.image, tag: c.tag, digest: c.digest }));
}

/** The subject without its containers: what a seal written before they were covered bound. */
export function withoutContainers(subject: SealSubject): SealSubject {
    const { initContainers: _init, sidecars: _sidecars, ...rest } = subject;
    return rest;
}

/**
 * True when the seal does not cover the subject's containers but does cover the rest of it:
 * written before seals covered init containers and sidecars. Call it once verifySeal failed.
 */
export function sealedBeforeContainers(subject: SealSubject, provenance: Provenance): boolean {
    const containers = (subject.initContainers?.length ?? 0) + (subject.sidecars?.length ?? 0);
    return containers > 0 && verifySeal(withoutContainers(subject), provenance);
}

/** Adds the seal: the provenance `pinstack promote` writes next to a pin. */
export function sealProvenance(subject: SealSubject, provenance: UnsealedProvenance): Provenance {
    return { ...provenance, seal: sealFor(subject, provenance) };
}

/** True when `provenance.seal` matches the subject and the rest of the provenance. */
export function verifySeal(subject: SealSubject, provenance: Provenance): boolean {
    const { seal, ...rest } = provenance;
    return typeof seal === "string" && seal === sealFor(subject, rest);
}

/** The seal subject of a service pin, its init containers and sidecars included. */
export function serviceSubject(pin: Pick<ServicePin, "name" | "image" | "tag" | "digest"> & {
    readonly initContainers?: readonly SealedContainer[];
    readonly sidecars?: readonly SealedContainer[];
}): SealSubject {
    return { kind: "service", name: pin.name, image: pin.image, tag: pin.tag, digest: pin.digest, initContainers: pin.initContainers, sidecars: pin.sidecars };
}

/** The seal subject of a package pin. */
export function packageSubject(pin: Pick<PackagePin, "name" | "version">): SealSubject {
    return { kind: "package", name: pin.name, version: pin.version };
}

/** JSON with object keys sorted and undefined members dropped, so equal data hashes equally. */
export function canonicalJson(value: unknown): string {
    if (value === null || typeof value !== "object") return JSON.stringify(value);
    if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
    // A loop rather than entries/filter/sort/map: check verifies a seal per production pin.
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    let out = "{";
    for (const key of keys) {
        const child = record[key];
        if (child === undefined) continue;
        if (out.length > 1) out += ",";
        out += `${JSON.stringify(key)}:${canonicalJson(child)}`;
    }
    return `${out}}`;
}
