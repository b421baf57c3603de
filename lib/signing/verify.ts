import type { SignatureRecord } from "../model";
import { fetchBlob, fetchManifest, RegistryOptions } from "../registry";
import { PAYLOAD_MAX_BYTES, MAX_SIGNATURES, signatureLayers, signatureTag, signedDigest, signingKey } from "./cosign";
import { Trust, TrustedKey, validityProblem } from "./keys";

/**
 * Is `image@digest` signed by a key the stack trusts? The registry is asked for the cosign
 * signatures of exactly that digest; each payload is fetched by its digest and checked
 * against it, its signature against every trusted key, and the digest it names against the
 * pinned one. One signature that passes all of it verifies the image.
 */

/** Why an image is refused, most specific first when several signatures fail differently. */
export type SignatureFailure = "no-trusted-keys" | "unsigned" | "unknown-key" | "other-digest" | "key-not-valid";

export type SignatureVerdict =
    | { readonly ok: true; readonly record: SignatureRecord }
    | { readonly ok: false; readonly failure: SignatureFailure; readonly message: string };

/** Order of the failures: a signature by a trusted key says more than one by nobody known. */
const SPECIFICITY: readonly SignatureFailure[] = ["no-trusted-keys", "unsigned", "unknown-key", "other-digest", "key-not-valid"];

export async function verifyImageSignature(image: string, digest: string, trust: Trust, now: Date, options: RegistryOptions = {}): Promise<SignatureVerdict> {
    const ref = `${image}@${digest}`;
    if (trust.keys.length === 0) return { ok: false, failure: "no-trusted-keys", message: `${ref} cannot be verified: ${trust.where} names no trusted key` };
    const tag = signatureTag(digest);
    const manifest = await fetchManifest(image, tag, options, "undefined");
    if (!manifest) return { ok: false, failure: "unsigned", message: `${ref} has no signature (the registry has no ${image}:${tag})` };
    const parsed = signatureLayers(manifest.bytes);
    if (!parsed.ok || parsed.layers.length === 0) {
        return { ok: false, failure: "unsigned", message: `${ref} has no signature: ${image}:${tag} ${parsed.ok ? "holds no cosign simple-signing layer" : parsed.problem}` };
    }
    let worst: { failure: SignatureFailure; message: string } = { failure: "unknown-key", message: "" };
    const failed = (failure: SignatureFailure, message: string) => {
        if (SPECIFICITY.indexOf(failure) >= SPECIFICITY.indexOf(worst.failure)) worst = { failure, message };
    };
    for (const layer of parsed.layers.slice(0, MAX_SIGNATURES)) {
        if (layer.size > PAYLOAD_MAX_BYTES) continue;
        // Checked against its digest by fetchBlob: a registry cannot swap the payload under the signature.
        const payload = await fetchBlob(image, layer.payloadDigest, PAYLOAD_MAX_BYTES, options);
        const key = signingKey(payload, layer.signature, trust.keys);
        if (!key) continue;
        const signed = signedDigest(payload);
        if (!signed.ok) {
            failed("other-digest", `${ref} carries a signature by key ${key.id} that is not an image signature: ${signed.problem}`);
            continue;
        }
        if (signed.digest !== digest) {
            failed("other-digest", `${ref} carries a signature by key ${key.id} made for another digest, ${signed.digest}`);
            continue;
        }
        const invalid = validityProblem(key, now);
        if (invalid) {
            failed("key-not-valid", `${ref} is signed by key ${key.id}, but ${invalid}`);
            continue;
        }
        return { ok: true, record: recordOf(image, digest, key) };
    }
    if (worst.message === "") {
        const ids = trust.keys.map((k) => k.id).join(", ");
        worst = { failure: "unknown-key", message: `${ref} is signed, but by no key ${trust.where} trusts (${Math.min(parsed.layers.length, MAX_SIGNATURES)} signature(s) checked against ${ids})` };
    }
    return { ok: false, ...worst };
}

function recordOf(image: string, digest: string, key: TrustedKey): SignatureRecord {
    return { image, digest, key: key.id, keyDigest: key.keyDigest };
}
