import { strict as assert } from "assert";
import { canonicalJson, sealFor, sealProvenance, verifySeal } from "../../../lib/provenance";

const subject = { kind: "service" as const, name: "backend", image: "ghcr.io/example/backend", tag: "2023.05.1", digest: `sha256:${"ab".repeat(32)}` };
const unsealed = { from: "staging", at: "2026-11-20T10:00:00Z", by: "ana@example.org", reason: "release 2023.05.1" };

describe("lib/provenance", () => {
    it("seals as sha256:<64 hex>, deterministically", () => {
        const seal = sealFor(subject, unsealed);
        assert.match(seal, /^sha256:[0-9a-f]{64}$/);
        assert.equal(sealFor({ ...subject }, { ...unsealed }), seal);
        assert.equal(sealFor(subject, { reason: unsealed.reason, by: unsealed.by, at: unsealed.at, from: unsealed.from }), seal, "key order does not matter");
    });

    it("verifies its own seal", () => {
        assert.equal(verifySeal(subject, sealProvenance(subject, unsealed)), true);
    });

    const edits: [string, () => boolean][] = [
        ["another service", () => verifySeal({ ...subject, name: "frontend" }, sealProvenance(subject, unsealed))],
        ["an edited tag", () => verifySeal({ ...subject, tag: "2023.05.2" }, sealProvenance(subject, unsealed))],
        ["an edited digest", () => verifySeal({ ...subject, digest: `sha256:${"cd".repeat(32)}` }, sealProvenance(subject, unsealed))],
        ["another image", () => verifySeal({ ...subject, image: "ghcr.io/other/backend" }, sealProvenance(subject, unsealed))],
        ["a package instead of a service", () => verifySeal({ ...subject, kind: "package" }, sealProvenance(subject, unsealed))],
        ["an edited from", () => verifySeal(subject, { ...sealProvenance(subject, unsealed), from: "playground" })],
        ["an edited at", () => verifySeal(subject, { ...sealProvenance(subject, unsealed), at: "2026-11-21T10:00:00Z" })],
        ["an edited by", () => verifySeal(subject, { ...sealProvenance(subject, unsealed), by: "eve@example.org" })],
        ["an edited reason", () => verifySeal(subject, { ...sealProvenance(subject, unsealed), reason: "hotfix" })],
        ["an added rollback flag", () => verifySeal(subject, { ...sealProvenance(subject, unsealed), rollback: true })],
        ["an added allowUndeployed flag", () => verifySeal(subject, { ...sealProvenance(subject, unsealed), allowUndeployed: true })],
        ["a missing seal", () => verifySeal(subject, { ...unsealed, seal: "" })],
    ];
    for (const [what, verify] of edits) {
        it(`does not verify for ${what}`, () => assert.equal(verify(), false));
    }

    it("binds a package by name and version", () => {
        const pkg = { kind: "package" as const, name: "ukrdc-services", version: "10.8.5" };
        const sealed = sealProvenance(pkg, unsealed);
        assert.equal(verifySeal(pkg, sealed), true);
        assert.equal(verifySeal({ ...pkg, version: "10.8.5rc1" }, sealed), false);
    });

    it("canonicalJson sorts keys and drops undefined members", () => {
        assert.equal(canonicalJson({ b: 1, a: { d: undefined, c: [1, "x"] } }), '{"a":{"c":[1,"x"]},"b":1}');
    });
});
