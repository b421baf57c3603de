import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PinstackError } from "../../../../lib/errors";
import type { SigningPolicy } from "../../../../lib/model";
import { keyDigestOf, loadTrust, Trust, verifyImageSignature } from "../../../../lib/signing";
import { pushBlob, pushImage, putManifest, RunningRegistry, startRegistry } from "../../../e2e/support/registry";
import { cosignPayload, keyPair, pushSignature } from "../../../support/signatures";

const where = "Pulumi.production.yaml: pinstack:signing";
const NOW = new Date("2026-12-01T00:00:00Z");
const loc = (key: string) => ({ file: "Pulumi.production.yaml", line: 3, column: 5, key });

function trustOf(keys: { id: string; pem: string; notBefore?: string; notAfter?: string }[], dir = os.tmpdir()): Trust {
    const policy: SigningPolicy = {
        keys: keys.map((k, i) => ({ id: k.id, publicKey: k.pem, notBefore: k.notBefore, notAfter: k.notAfter, location: loc(`pinstack:signing.keys[${i}]`) })),
        location: loc("pinstack:signing"),
    };
    return loadTrust(policy, dir, where);
}

describe("lib/signing: cosign signatures against a real registry", function () {
    this.timeout(30_000);
    let registry: RunningRegistry;
    const ci = keyPair();
    const stranger = keyPair();
    let image: string;
    let digest: string;
    let other: string;

    before(async () => {
        registry = await startRegistry();
        image = `${registry.host}/example/backend`;
        digest = await pushImage(registry, "example/backend", "2023.05.1", "backend 1");
        other = await pushImage(registry, "example/backend", "2023.05.2", "backend 2");
    });
    after(async () => registry?.stop());

    it("verifies a signature by a trusted key and records the key by id and digest", async () => {
        await pushSignature(registry, "example/backend", digest, [ci.privateKey]);
        const verdict = await verifyImageSignature(image, digest, trustOf([{ id: "ci-2026", pem: ci.publicPem }]), NOW);
        assert.deepEqual(verdict, { ok: true, record: { image, digest, key: "ci-2026", keyDigest: keyDigestOf(ci.publicKey) } });
    });

    it("refuses an unsigned image: no .sig manifest", async () => {
        const verdict = await verifyImageSignature(image, other, trustOf([{ id: "ci-2026", pem: ci.publicPem }]), NOW);
        assert.equal(verdict.ok, false);
        assert.ok(!verdict.ok);
        assert.equal(verdict.failure, "unsigned");
        assert.match(verdict.message, new RegExp(`${escape(image)}@${other} has no signature \\(the registry has no ${escape(image)}:sha256-[0-9a-f]{64}\\.sig\\)`));
    });

    it("refuses a signature by a key the stack does not trust, naming the keys it tried", async () => {
        const d = await pushImage(registry, "example/backend", "stranger", "signed by a stranger");
        await pushSignature(registry, "example/backend", d, [stranger.privateKey]);
        const verdict = await verifyImageSignature(image, d, trustOf([{ id: "ci-2026", pem: ci.publicPem }]), NOW);
        assert.ok(!verdict.ok);
        assert.equal(verdict.failure, "unknown-key");
        assert.equal(verdict.message, `${image}@${d} is signed, but by no key ${where} trusts (1 signature(s) checked against ci-2026)`);
    });

    it("refuses a trusted signature made for another digest (a .sig copied onto this one)", async () => {
        const d = await pushImage(registry, "example/backend", "copied", "copied signature");
        await pushSignature(registry, "example/backend", d, [ci.privateKey], { signedDigest: digest });
        const verdict = await verifyImageSignature(image, d, trustOf([{ id: "ci-2026", pem: ci.publicPem }]), NOW);
        assert.ok(!verdict.ok);
        assert.equal(verdict.failure, "other-digest");
        assert.equal(verdict.message, `${image}@${d} carries a signature by key ci-2026 made for another digest, ${digest}`);
    });

    it("refuses a signature by a key past its validity, and one not valid yet", async () => {
        const expired = await verifyImageSignature(image, digest, trustOf([{ id: "ci-2025", pem: ci.publicPem, notAfter: "2026-01-01T00:00:00Z" }]), NOW);
        assert.ok(!expired.ok);
        assert.equal(expired.failure, "key-not-valid");
        assert.equal(expired.message, `${image}@${digest} is signed by key ci-2025, but key ci-2025 expired at 2026-01-01T00:00:00Z`);
        const early = await verifyImageSignature(image, digest, trustOf([{ id: "ci-2027", pem: ci.publicPem, notBefore: "2027-01-01T00:00:00Z" }]), NOW);
        assert.ok(!early.ok);
        assert.match(early.message, /key ci-2027 is trusted only from 2027-01-01T00:00:00Z/);
    });

    it("passes when one of several signatures is by a trusted, valid key (rotation: old and new key side by side)", async () => {
        const d = await pushImage(registry, "example/backend", "rotated", "two signatures");
        await pushSignature(registry, "example/backend", d, [stranger.privateKey, ci.privateKey]);
        const trust = trustOf([
            { id: "old", pem: stranger.publicPem, notAfter: "2026-06-01T00:00:00Z" },
            { id: "new", pem: ci.publicPem, notBefore: "2026-06-01T00:00:00Z" },
        ]);
        const verdict = await verifyImageSignature(image, d, trust, NOW);
        assert.ok(verdict.ok);
        assert.equal(verdict.record.key, "new");
    });

    it("refuses every image when the stack names no trusted key", async () => {
        const verdict = await verifyImageSignature(image, digest, trustOf([]), NOW);
        assert.ok(!verdict.ok);
        assert.equal(verdict.failure, "no-trusted-keys");
    });

    it("does not take a signature over one payload for a layer that names other bytes", async () => {
        const d = await pushImage(registry, "example/backend", "lying", "lying payload");
        const payload = cosignPayload(image, d);
        const real = await pushBlob(registry, "example/backend", payload, "application/vnd.dev.cosign.simplesigning.v1+json");
        // A layer that names another blob's digest (a blob the registry has) under a signature of this payload.
        const decoy = await pushBlob(registry, "example/backend", Buffer.from("decoy"), "application/octet-stream");
        const { sign } = await import("crypto");
        const type = "application/vnd.oci.image.manifest.v1+json";
        await putManifest(
            registry,
            "example/backend",
            d.replace(":", "-") + ".sig",
            { schemaVersion: 2, mediaType: type, config: real, layers: [{ ...decoy, mediaType: "application/vnd.dev.cosign.simplesigning.v1+json", annotations: { "dev.cosignproject.cosign/signature": sign("sha256", payload, ci.privateKey).toString("base64") } }] },
            type,
        );
        // The registry serves the decoy's true bytes, which the signature does not cover: unknown key, never a pass.
        const verdict = await verifyImageSignature(image, d, trustOf([{ id: "ci-2026", pem: ci.publicPem }]), NOW);
        assert.ok(!verdict.ok);
        assert.equal(verdict.failure, "unknown-key");
    });
});

describe("lib/registry fetchBlob: the bytes must be the blob", () => {
    const blob = Buffer.from("payload");
    const digest = `sha256:${require("crypto").createHash("sha256").update(blob).digest("hex")}`;
    const serving = (body: Buffer, headers: Record<string, string> = {}): typeof fetch =>
        (async () => new Response(new Uint8Array(body), { status: 200, headers })) as unknown as typeof fetch;

    it("returns bytes that hash to the digest asked", async () => {
        const { fetchBlob } = await import("../../../../lib/registry");
        assert.deepEqual(await fetchBlob("127.0.0.1:1/a/b", digest, 1024, { fetch: serving(blob), credentials: () => undefined }), blob);
    });

    it("refuses (exit 1) bytes that hash to something else, and more than the cap", async () => {
        const { fetchBlob } = await import("../../../../lib/registry");
        await assert.rejects(fetchBlob("127.0.0.1:1/a/b", digest, 1024, { fetch: serving(Buffer.from("swapped")), credentials: () => undefined }), (err: PinstackError) => err.exitCode === 1 && /cannot be trusted for blob sha256:.* the bytes it sent hash to sha256:/.test(err.message));
        await assert.rejects(fetchBlob("127.0.0.1:1/a/b", digest, 4, { fetch: serving(blob), credentials: () => undefined }), (err: PinstackError) => err.exitCode === 1 && /sent more than 4 bytes/.test(err.message));
    });
});

describe("lib/signing: trusted keys", () => {
    it("reads a PEM file relative to the project and names a missing one by file, line and key", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinstack-keys-"));
        const pair = keyPair();
        fs.writeFileSync(path.join(dir, "cosign.pub"), pair.publicPem);
        const trust = trustOf([{ id: "ci", pem: "cosign.pub" }], dir);
        assert.equal(trust.keys[0].keyDigest, keyDigestOf(pair.publicKey));
        assert.throws(
            () => trustOf([{ id: "ci", pem: "missing.pub" }], dir),
            (err: PinstackError) => err.exitCode === 2 && /^Pulumi\.production\.yaml:3:5: pinstack:signing\.keys\[0\]\.publicKey: key ci: cannot read public key file missing\.pub \(ENOENT\)$/.test(err.message),
        );
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("refuses a private key or text that is not a key (exit 2)", () => {
        const pair = keyPair();
        const privatePem = pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
        // createPublicKey derives the public key from a private one: the digest would then be the public key's, so pinstack must not take it silently.
        assert.throws(() => trustOf([{ id: "ci", pem: "-----BEGIN nonsense-----\nxx\n-----END nonsense-----\n" }]), (err: PinstackError) => err.exitCode === 2 && /key ci: not a PEM public key/.test(err.message));
        assert.throws(() => trustOf([{ id: "ci", pem: privatePem }]), (err: PinstackError) => err.exitCode === 2 && /key ci: .*private/.test(err.message));
    });
});

function escape(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
