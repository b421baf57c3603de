import { KeyObject, verify } from "crypto";
import type { TrustedKey } from "./keys";

/**
 * Cosign's classic signature format (what `cosign sign --key` writes by default): the
 * signatures of manifest `sha256:<hex>` are the layers of the manifest tagged
 * `sha256-<hex>.sig` in the same repository. Each layer is a "simple signing" JSON payload
 * naming the signed digest, and carries the base64 signature over the payload's bytes in an
 * annotation. Keyless signatures add a certificate annotation; pinstack trusts keys only.
 */

export const SIMPLE_SIGNING_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";
export const SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
/** The payload's `critical.type` for an image signature. */
export const COSIGN_PAYLOAD_TYPE = "cosign container image signature";

/** A simple-signing payload is a few hundred bytes; more is not a signature. */
export const PAYLOAD_MAX_BYTES = 64 * 1024;
/** Signatures read per image: enough for every key rotation, few enough to bound the requests. */
export const MAX_SIGNATURES = 16;

/** The tag cosign stores the signatures of `digest` under. */
export function signatureTag(digest: string): string {
    return digest.replace(":", "-") + ".sig";
}

/** One signature layer of a `.sig` manifest: where its payload is, and the signature over it. */
export interface SignatureLayer {
    readonly payloadDigest: string;
    readonly size: number;
    readonly signature: Buffer;
}

/** The simple-signing layers of a `.sig` manifest; a problem when the manifest is not one. */
export function signatureLayers(manifestBytes: Buffer): { ok: true; layers: SignatureLayer[] } | { ok: false; problem: string } {
    let manifest: { layers?: unknown };
    try {
        manifest = JSON.parse(manifestBytes.toString("utf8")) as { layers?: unknown };
    } catch {
        return { ok: false, problem: "is not JSON" };
    }
    if (!Array.isArray(manifest.layers)) return { ok: false, problem: "has no layers" };
    const layers: SignatureLayer[] = [];
    for (const layer of manifest.layers as unknown[]) {
        const l = layer as { mediaType?: unknown; digest?: unknown; size?: unknown; annotations?: Record<string, unknown> };
        if (l?.mediaType !== SIMPLE_SIGNING_TYPE) continue;
        const signature = l.annotations?.[SIGNATURE_ANNOTATION];
        if (typeof l.digest !== "string" || typeof signature !== "string" || typeof l.size !== "number") continue;
        layers.push({ payloadDigest: l.digest, size: l.size, signature: Buffer.from(signature, "base64") });
    }
    return { ok: true, layers };
}

/** The digest a simple-signing payload signs, or a problem when it is not an image signature payload. */
export function signedDigest(payload: Buffer): { ok: true; digest: string } | { ok: false; problem: string } {
    let parsed: { critical?: { type?: unknown; image?: { "docker-manifest-digest"?: unknown } } };
    try {
        parsed = JSON.parse(payload.toString("utf8"));
    } catch {
        return { ok: false, problem: "its payload is not JSON" };
    }
    if (parsed?.critical?.type !== COSIGN_PAYLOAD_TYPE) return { ok: false, problem: `its payload's critical.type is not "${COSIGN_PAYLOAD_TYPE}"` };
    const digest = parsed.critical.image?.["docker-manifest-digest"];
    if (typeof digest !== "string") return { ok: false, problem: "its payload names no critical.image.docker-manifest-digest" };
    return { ok: true, digest };
}

/** True when `signature` is `key`'s signature over `payload` (ECDSA and RSA over SHA-256, as cosign signs; Ed25519 as is). */
export function signatureVerifies(payload: Buffer, signature: Buffer, key: KeyObject): boolean {
    try {
        return verify(key.asymmetricKeyType === "ed25519" ? null : "sha256", payload, key, signature);
    } catch {
        return false;
    }
}

/** The trusted key whose signature this is, if any: every key is tried, expired ones too, so the refusal can say which. */
export function signingKey(payload: Buffer, signature: Buffer, keys: readonly TrustedKey[]): TrustedKey | undefined {
    return keys.find((key) => key.publicKey !== undefined && signatureVerifies(payload, signature, key.publicKey));
}
