import { strict as assert } from "assert";
import { canonicalJson, sealFor, sealProvenance, serviceSubject, verifySeal, withoutContainers } from "../../../lib/provenance";

const subject = { kind: "service" as const, name: "backend", image: "ghcr.io/example/backend", tag: "2023.05.1", digest: `sha256:${"ab".repeat(32)}` };
const signature = { image: subject.image, digest: subject.digest, key: "ci-2026", keyDigest: `sha256:${"ef".repeat(32)}` };
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
        assert.equal(verifySeal(subject, sealProvenance(subject, { ...unsealed, signatures: [signature] })), true, "with signature records");
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
        ["an added signature record", () => verifySeal(subject, { ...sealProvenance(subject, unsealed), signatures: [signature] })],
        ["a signature record naming another key", () => verifySeal(subject, { ...sealProvenance(subject, { ...unsealed, signatures: [signature] }), signatures: [{ ...signature, key: "other" }] })],
        ["a removed signature record", () => verifySeal(subject, { ...sealProvenance(subject, { ...unsealed, signatures: [signature] }), signatures: undefined })],
    ];
    for (const [what, verify] of edits) {
        it(`does not verify for ${what}`, () => assert.equal(verify(), false));
    }

    it("seals a service without containers exactly as before containers were covered", () => {
        // The seal of this subject written by the previous version (commit 93e3427): stack files keep verifying.
        const before = "sha256:03735689c2a785d5b84ebe8c91a277b37bc6139d9794c580ebe7aeb1eba36fee";
        assert.equal(sealFor(subject, unsealed), before);
        assert.equal(sealFor({ ...subject, initContainers: [], sidecars: [] }, unsealed), before);
    });

    describe("init containers and sidecars", () => {
        const withContainers = {
            ...subject,
            initContainers: [
                { name: "migrate", image: "ghcr.io/example/migrate", tag: "1.4.0", digest: `sha256:${"01".repeat(32)}` },
                { name: "warm-cache", image: "ghcr.io/example/warm", tag: "2.0.0" },
            ],
            sidecars: [{ name: "proxy", image: "ghcr.io/example/proxy", tag: "0.9.1" }],
        };
        const sealed = sealProvenance(withContainers, unsealed);

        it("binds them: the seal verifies for the same containers only", () => {
            assert.equal(verifySeal(withContainers, sealed), true);
            assert.equal(verifySeal(JSON.parse(JSON.stringify(withContainers)), sealed), true, "a copy verifies");
            assert.equal(verifySeal(withoutContainers(withContainers), sealed), false);
        });

        const containerEdits: [string, (s: typeof withContainers) => unknown][] = [
            ["a sidecar's tag", (s) => ({ ...s, sidecars: [{ ...s.sidecars[0], tag: "0.9.2" }] })],
            ["a sidecar's image", (s) => ({ ...s, sidecars: [{ ...s.sidecars[0], image: "docker.io/evil/proxy" }] })],
            ["a sidecar's name", (s) => ({ ...s, sidecars: [{ ...s.sidecars[0], name: "proxy2" }] })],
            ["an init container's digest", (s) => ({ ...s, initContainers: [{ ...s.initContainers[0], digest: `sha256:${"02".repeat(32)}` }, s.initContainers[1]] })],
            ["a digest added to an init container", (s) => ({ ...s, initContainers: [s.initContainers[0], { ...s.initContainers[1], digest: `sha256:${"03".repeat(32)}` }] })],
            ["init containers in another order", (s) => ({ ...s, initContainers: [s.initContainers[1], s.initContainers[0]] })],
            ["a sidecar moved to the init containers", (s) => ({ ...s, initContainers: [...s.initContainers, ...s.sidecars], sidecars: [] })],
            ["an added sidecar", (s) => ({ ...s, sidecars: [...s.sidecars, { name: "debug", image: "docker.io/library/busybox", tag: "1.36" }] })],
            ["a removed init container", (s) => ({ ...s, initContainers: [s.initContainers[0]] })],
        ];
        for (const [what, edit] of containerEdits) {
            it(`does not verify for ${what}`, () => assert.equal(verifySeal(edit(withContainers) as never, sealed), false));
        }

        it("a service's subject carries its containers (serviceSubject)", () => {
            const pin = { name: "backend", image: subject.image, tag: subject.tag, digest: subject.digest, initContainers: withContainers.initContainers, sidecars: withContainers.sidecars };
            assert.equal(verifySeal(serviceSubject(pin), sealed), true);
            assert.equal(verifySeal(serviceSubject({ ...pin, sidecars: [] }), sealed), false);
        });
    });

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
