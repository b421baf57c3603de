import { strict as assert } from "assert";
import { AnnotationKeys, decodeContainers, decodePin, decodeProvenance, encodeContainers, encodeProvenance, parseRequirements, pinAnnotations, requirementsChannel, requirementsFiles } from "../../../../lib/contract";
import type { PackagePin, Provenance } from "../../../../lib/model";
import { pinOfReference, pinReference } from "../../../../lib/pin";

/** Every value the program writes on a Kubernetes object, read back by the pack's decoder: the same pin. */
describe("lib/contract: what the program writes and the pack reads", () => {
    const digest = `sha256:${"c".repeat(64)}`;
    const provenance: Provenance = { from: "staging", at: "2026-11-20T10:00:00Z", by: "ana@example.org", reason: "release: #921", seal: `sha256:${"d".repeat(64)}` };

    it("pinstack.dev/pin round-trips every form of reference", () => {
        for (const pin of [{ image: "ghcr.io/example/backend", tag: "2023.05.1" }, { image: "ghcr.io/example/backend", digest }, { image: "ghcr.io/example/backend", tag: "1.0.0", digest }]) {
            const decoded = decodePin(pinAnnotations({ reference: pinReference(pin), scheme: "calver" })[AnnotationKeys.pin]);
            assert.ok(decoded.ok);
            assert.deepEqual(pinOfReference(decoded.ref), pin);
        }
        assert.deepEqual(decodePin("not a reference!").ok, false);
    });

    it("pinstack.dev/containers round-trips both lists, in order", () => {
        const initContainers = [{ name: "warm", image: "ghcr.io/example/warm", tag: "1.0.0" }, { name: "migrate", image: "ghcr.io/example/backend", tag: "2023.05.1", digest }];
        const sidecars = [{ name: "proxy", image: "ghcr.io/example/proxy", tag: "2.0.1" }];
        const text = encodeContainers({ initContainers, sidecars });
        assert.equal(text, pinAnnotations({ reference: "x", scheme: "any", initContainers, sidecars })[AnnotationKeys.containers]);
        const decoded = decodeContainers(text!);
        assert.ok(decoded.ok);
        assert.deepEqual(
            decoded.containers.map((c) => ({ list: c.list, name: c.name, ...pinOfReference(c.ref) })),
            [...initContainers.map((c) => ({ list: "initContainers", ...c })), ...sidecars.map((c) => ({ list: "sidecars", ...c }))],
        );
        assert.equal(encodeContainers({ initContainers: [], sidecars: [] }), undefined, "no containers, no annotation");
    });

    it("a malformed pinstack.dev/containers says why", () => {
        assert.deepEqual(decodeContainers("{"), { ok: false, why: "is not JSON" });
        assert.deepEqual(decodeContainers("[]"), { ok: false, why: "is not a JSON object" });
        assert.match((decodeContainers('{"ephemeral":[]}') as { why: string }).why, /has a list "ephemeral"/);
        assert.match((decodeContainers('{"sidecars":[{"name":"p"}]}') as { why: string }).why, /without a name and pin/);
    });

    it("provenance round-trips, the flags written only when true", () => {
        for (const p of [provenance, { ...provenance, rollback: true }, { ...provenance, allowUndeployed: true }]) {
            const annotations = pinAnnotations({ reference: "x", scheme: "any", provenance: p });
            assert.deepEqual(decodeProvenance((key) => annotations[key]), p);
        }
        assert.equal(encodeProvenance(provenance)[AnnotationKeys.rollback], undefined);
        assert.equal(decodeProvenance(() => undefined), undefined, "no provenance annotations: none");
    });

    it("signature records round-trip; a malformed value is left out (so the seal, which covers them, fails)", () => {
        const signatures = [
            { image: "ghcr.io/a/b", digest: `sha256:${"a".repeat(64)}`, key: "ci-2026", keyDigest: `sha256:${"b".repeat(64)}` },
            { image: "ghcr.io/a/proxy", digest: `sha256:${"c".repeat(64)}`, key: "ci-2025", keyDigest: `sha256:${"d".repeat(64)}`, verifiedAt: "2026-01-02T00:00:00Z" },
        ];
        const annotations = encodeProvenance({ ...provenance, signatures });
        assert.equal(annotations[AnnotationKeys.signatures], JSON.stringify(signatures));
        assert.deepEqual(decodeProvenance((key) => annotations[key]), { ...provenance, signatures });
        assert.equal(encodeProvenance(provenance)[AnnotationKeys.signatures], undefined, "none recorded, no annotation");
        for (const bad of ["{", "{}", '[{"image":"x"}]']) {
            const tampered: Record<string, string> = { ...annotations, [AnnotationKeys.signatures]: bad };
            assert.equal(decodeProvenance((key) => tampered[key])?.signatures, undefined, bad);
        }
    });

    it("the requirements ConfigMap round-trips every channel's pins", () => {
        const pins: PackagePin[] = [
            { name: "ukrdc-services", version: "10.8.5", channel: "release", location: { file: "", line: 0, column: 0, key: "" } },
            { name: "ukrdc-tools", version: ">=1.2", channel: "staging", location: { file: "", line: 0, column: 0, key: "" } },
        ];
        const files = requirementsFiles(pins, { staging: "https://devpi.example.org/staging" });
        const read = Object.entries(files).flatMap(([file, text]) => parseRequirements(text, requirementsChannel(file)!));
        const shown = (list: readonly PackagePin[]) => list.map((p) => `${p.channel}:${p.name}:${p.version}`).sort();
        assert.deepEqual(shown(read), shown(pins));
        assert.equal(requirementsChannel("requirements.txt"), "release");
        assert.equal(requirementsChannel("values.yaml"), undefined);
    });
});
