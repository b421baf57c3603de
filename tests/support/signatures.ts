/**
 * Cosign signatures made with node's crypto in cosign's classic format, byte for byte the
 * shape `cosign sign --key` writes: a simple-signing payload blob, and a manifest tagged
 * `sha256-<hex>.sig` whose layer carries the base64 ECDSA signature in the
 * `dev.cosignproject.cosign/signature` annotation. The e2e tests sign with cosign itself.
 */
import { generateKeyPairSync, KeyObject, sign } from "crypto";
import { pushBlob, putManifest, RunningRegistry } from "../e2e/support/registry";

export interface KeyPair {
    readonly publicKey: KeyObject;
    readonly privateKey: KeyObject;
    /** The public key as PEM (what goes into pinstack:signing). */
    readonly publicPem: string;
}

/** An ECDSA P-256 key pair, cosign's default. */
export function keyPair(): KeyPair {
    const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    return { publicKey, privateKey, publicPem: publicKey.export({ type: "spki", format: "pem" }).toString() };
}

/** Cosign's simple-signing payload for `image@digest`. */
export function cosignPayload(image: string, digest: string): Buffer {
    return Buffer.from(JSON.stringify({ critical: { identity: { "docker-reference": image }, image: { "docker-manifest-digest": digest }, type: "cosign container image signature" }, optional: null }));
}

/**
 * Pushes a signature of `digest` in `repository` (`<host>/<repository>` is the image), made by
 * `key`. `signedDigest` makes the payload name another digest (a signature copied from another
 * image); several signers write several layers, as cosign appends them.
 */
export async function pushSignature(
    registry: RunningRegistry,
    repository: string,
    digest: string,
    keys: readonly KeyObject[],
    options: { signedDigest?: string } = {},
): Promise<string> {
    const image = `${registry.host}/${repository}`;
    const payload = cosignPayload(image, options.signedDigest ?? digest);
    const layers = [];
    for (const key of keys) {
        const descriptor = await pushBlob(registry, repository, payload, "application/vnd.dev.cosign.simplesigning.v1+json");
        layers.push({ ...descriptor, annotations: { "dev.cosignproject.cosign/signature": sign("sha256", payload, key).toString("base64") } });
    }
    const config = await pushBlob(registry, repository, Buffer.from(JSON.stringify({ architecture: "", os: "", config: {}, rootfs: { type: "layers", diff_ids: layers.map((l) => l.digest) } })), "application/vnd.oci.image.config.v1+json");
    const type = "application/vnd.oci.image.manifest.v1+json";
    return putManifest(registry, repository, digest.replace(":", "-") + ".sig", { schemaVersion: 2, mediaType: type, config, layers }, type);
}
