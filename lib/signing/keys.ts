import { createHash, createPublicKey, KeyObject } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { badInput } from "../errors";
import type { SigningKeySpec, SigningPolicy, SourceLocation } from "../model";

/**
 * The keys a stack trusts, read from `pinstack:signing`. A key is known by its id and by
 * the digest of its DER SubjectPublicKeyInfo (`keyDigest`): a record names both, so an id
 * reused for another key is not the key that verified a pin.
 */
export interface TrustedKey {
    readonly id: string;
    /** `sha256:` of the key's DER SubjectPublicKeyInfo. */
    readonly keyDigest: string;
    /** Epoch ms: signatures are accepted from then on. */
    readonly notBefore?: number;
    /** Epoch ms: and until then. */
    readonly notAfter?: number;
    /** The key itself; absent in the policy pack, which checks records, not signatures. */
    readonly publicKey?: KeyObject;
}

/** What is trusted: the keys, and where the stack names them (for messages). */
export interface Trust {
    readonly keys: readonly TrustedKey[];
    /** `Pulumi.production.yaml: pinstack:signing`, or the pack's config: where to add a key. */
    readonly where: string;
}

/** `sha256:` of a public key's DER SubjectPublicKeyInfo: the key's identity, whatever its PEM wrapping. */
export function keyDigestOf(key: KeyObject): string {
    return `sha256:${createHash("sha256").update(key.export({ type: "spki", format: "der" })).digest("hex")}`;
}

/**
 * The stack's trusted keys with their public keys, each PEM given inline or as a file relative
 * to `dir`. A key that cannot be read, or is not a public key, is bad input naming its entry.
 */
export function loadTrust(policy: SigningPolicy, dir: string, where: string): Trust {
    return { keys: policy.keys.map((spec) => loadKey(spec, dir)), where };
}

function loadKey(spec: SigningKeySpec, dir: string): TrustedKey {
    const pem = spec.publicKey.includes("-----BEGIN") ? spec.publicKey : readPem(spec.publicKey, dir, spec);
    // createPublicKey would derive the public half of a private key; a private key here is a leak to stop, not to use.
    if (/PRIVATE KEY-----/.test(pem)) {
        throw badInput(`key ${spec.id}: is a private key`, { fix: "name the public key (cosign.pub); keep the private key in CI's secrets and out of the repository", location: keyLocation(spec) });
    }
    let publicKey: KeyObject;
    try {
        publicKey = createPublicKey(pem);
    } catch (err) {
        throw badInput(`key ${spec.id}: not a PEM public key (${err instanceof Error ? err.message : String(err)})`, {
            fix: "give the public key cosign wrote (cosign.pub), inline or as a path relative to the project",
            location: keyLocation(spec),
        });
    }
    return { id: spec.id, keyDigest: keyDigestOf(publicKey), ...validityOf(spec), publicKey };
}

function readPem(file: string, dir: string, spec: SigningKeySpec): string {
    const full = path.resolve(dir, file);
    try {
        return fs.readFileSync(full, "utf8");
    } catch (err) {
        throw badInput(`key ${spec.id}: cannot read public key file ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`, {
            fix: "commit the public key next to the stack files and name it relative to the project directory",
            location: keyLocation(spec),
        });
    }
}

function keyLocation(spec: SigningKeySpec): SourceLocation {
    return { ...spec.location, key: `${spec.location.key}.publicKey` };
}

function validityOf(spec: { readonly notBefore?: string; readonly notAfter?: string }): { notBefore?: number; notAfter?: number } {
    return { ...(spec.notBefore ? { notBefore: Date.parse(spec.notBefore) } : {}), ...(spec.notAfter ? { notAfter: Date.parse(spec.notAfter) } : {}) };
}

/** Why `key` does not accept signatures at `at`, or undefined when it does. */
export function validityProblem(key: TrustedKey, at: Date): string | undefined {
    const t = at.getTime();
    if (key.notBefore !== undefined && t < key.notBefore) return `key ${key.id} is trusted only from ${iso(key.notBefore)}`;
    if (key.notAfter !== undefined && t > key.notAfter) return `key ${key.id} expired at ${iso(key.notAfter)}`;
    return undefined;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, "Z");

/** The JSON form of a trusted key in the policy pack's config (no key material: the pack checks records). */
export interface PackTrustedKey {
    readonly id: string;
    readonly keyDigest: string;
    readonly notBefore?: string;
    readonly notAfter?: string;
}

/** The pack-config form of the keys, e.g. for `policies/config.production.json`'s `signed-images.trustedKeys`. */
export function packTrustedKeys(trust: Trust): PackTrustedKey[] {
    return trust.keys.map((k) => ({
        id: k.id,
        keyDigest: k.keyDigest,
        ...(k.notBefore !== undefined ? { notBefore: iso(k.notBefore) } : {}),
        ...(k.notAfter !== undefined ? { notAfter: iso(k.notAfter) } : {}),
    }));
}

/** Trust from the pack's config (already checked against its schema). */
export function trustFromPack(keys: readonly PackTrustedKey[], where: string): Trust {
    return { keys: keys.map((k) => ({ id: k.id, keyDigest: k.keyDigest, ...validityOf(k) })), where };
}
