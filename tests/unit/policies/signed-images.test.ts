/**
 * The signed-images stack policy: at preview the pack cannot reach a registry, so it checks
 * what `pinstack promote` recorded (sealed, in the provenance annotations) against the keys
 * CI's pack config trusts.
 */
import type { SignatureRecord } from "../../../lib/model";
import { signedImages } from "../../../policies/signed-images";
import { backendPin, deployment, digestOf, Pin, promoted } from "./fixtures";
import { assertHasStackViolation, assertNoStackViolations, configFromFile, stackArgs, StackResourceInput } from "./helpers";

const KEY = { id: "ci-2026", keyDigest: digestOf("e") };
const production = (resources: StackResourceInput[], trustedKeys: unknown = [KEY]) =>
    stackArgs(resources, { ...configFromFile("production", "signed-images"), ...(trustedKeys === null ? {} : { trustedKeys }) });
const record = (pin: { image: string; digest?: string }, key = KEY): SignatureRecord => ({ image: pin.image, digest: pin.digest!, key: key.id, keyDigest: key.keyDigest });
const signed = (pin: Pin, signatures: SignatureRecord[], at = "2026-06-02T09:30:00Z") => deployment({ pin, provenance: promoted(pin, { signatures, at }) });

const sidecar = { name: "proxy", image: "ghcr.io/pinstack-example/proxy", tag: "1.2.0", digest: digestOf("d") };
const withSidecar: Pin = { ...backendPin, sidecars: [sidecar] };

describe("policies: signed-images", () => {
    it("passes a pin whose every image has a sealed record by a trusted key", async () => {
        await assertNoStackViolations(signedImages, production([signed(backendPin, [record(backendPin)])]));
        await assertNoStackViolations(signedImages, production([signed(withSidecar, [record(backendPin), record(sidecar)])]));
    });

    it("refuses a production pin whose provenance has no verified signature", async () => {
        await assertHasStackViolation(signedImages, production([deployment()]), /service backend \(ghcr\.io\/pinstack-example\/backend@sha256:a+\) has no verified signature in its provenance/);
    });

    it("refuses a tag-only pin: no signature can be bound to what a tag names", async () => {
        const tagOnly = { ...backendPin, digest: undefined };
        await assertHasStackViolation(signedImages, production([deployment({ pin: tagOnly, provenance: promoted(tagOnly), runs: `${backendPin.image}:${backendPin.tag}@${backendPin.digest}` })]), /service backend \(ghcr\.io\/pinstack-example\/backend\) pins no digest/);
    });

    it("refuses a sidecar without a record, even when the main image has one", async () => {
        await assertHasStackViolation(signedImages, production([signed(withSidecar, [record(backendPin)])]), /sidecar proxy of service backend \(ghcr\.io\/pinstack-example\/proxy@sha256:d+\) has no verified signature/);
    });

    it("refuses a record by a key the pack does not trust, or whose digest is another key's", async () => {
        const other = { id: "laptop", keyDigest: digestOf("f") };
        await assertHasStackViolation(signedImages, production([signed(backendPin, [record(backendPin, other)])]), /was verified by key laptop, which the policy pack's signed-images\.trustedKeys does not trust/);
        await assertHasStackViolation(signedImages, production([signed(backendPin, [record(backendPin, { id: "ci-2026", keyDigest: digestOf("f") })])]), /whose digest sha256:f+ is not that of the trusted key ci-2026/);
    });

    it("refuses a record made when its key was outside its validity", async () => {
        const keys = [{ ...KEY, notAfter: "2026-01-01T00:00:00Z" }];
        await assertHasStackViolation(signedImages, production([signed(backendPin, [record(backendPin)])], keys), /was verified at 2026-06-02T09:30:00Z, when key ci-2026 expired at 2026-01-01T00:00:00Z/);
    });

    it("refuses a record for another digest, and records edited under the seal", async () => {
        await assertHasStackViolation(signedImages, production([signed(backendPin, [record({ ...backendPin, digest: digestOf("c") })])]), /has no verified signature in its provenance/);
        const tampered = { ...promoted(backendPin, { signatures: [record(backendPin)] }), signatures: [record(backendPin, { id: "ci-2026", keyDigest: KEY.keyDigest }), record(sidecar)] };
        await assertHasStackViolation(signedImages, production([deployment({ provenance: { ...tampered, seal: promoted(backendPin).seal } })]), /signature records under a seal that does not match/);
    });

    it("refuses every pin when the pack trusts an empty list; judges nothing when it names no keys", async () => {
        await assertHasStackViolation(signedImages, production([signed(backendPin, [record(backendPin)])], []), /does not trust/);
        await assertNoStackViolations(signedImages, production([deployment()], null));
    });
});
