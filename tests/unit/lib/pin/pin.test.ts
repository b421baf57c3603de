import { strict as assert } from "assert";
import { artifactOfEntry, diffPin, direction, pinKey, pinOfReference, pinReference, pinVersion, promotedArtifact, samePin, swappedColors, colorImages } from "../../../../lib/pin";
import { parseReference } from "../../../../lib/reference";

const A = `sha256:${"a".repeat(64)}`;
const B = `sha256:${"b".repeat(64)}`;
const backend = { image: "ghcr.io/example/backend", tag: "2023.05.1" };
const proxy = (tag: string, digest?: string) => ({ name: "proxy", image: "ghcr.io/example/proxy", tag, ...(digest ? { digest } : {}) });
const warm = { name: "warm", image: "ghcr.io/example/warm", tag: "1.0.0" };

describe("lib/pin: what a pin is", () => {
    describe("reference and version", () => {
        it("writes repo:tag@digest with only the parts the pin has, and reads it back", () => {
            for (const pin of [{ image: "ghcr.io/a/b" }, { image: "ghcr.io/a/b", tag: "1.0.0" }, { image: "ghcr.io/a/b", digest: A }, { image: "ghcr.io/a/b", tag: "1.0.0", digest: A }]) {
                const parsed = parseReference(pinReference(pin));
                assert.ok(parsed.ok);
                assert.deepEqual(pinOfReference(parsed.ref), pin);
            }
        });

        it("a version defaults to the tag", () => {
            assert.equal(pinVersion({ tag: "2023.05.1" }), "2023.05.1");
            assert.equal(pinVersion({ tag: "abc1234", version: "1.4.0" }), "1.4.0");
            assert.equal(pinVersion({}), "");
        });
    });

    describe("samePin", () => {
        it("exact: every image, tag and digest equal, containers in order", () => {
            assert.ok(samePin({ ...backend, sidecars: [proxy("2.0.1")] }, { ...backend, sidecars: [proxy("2.0.1")] }, { digests: "exact" }));
            assert.ok(!samePin({ ...backend, sidecars: [proxy("2.0.1")] }, { ...backend, sidecars: [proxy("2.0.2")] }, { digests: "exact" }), "a sidecar's tag");
            assert.ok(!samePin({ ...backend, sidecars: [proxy("2.0.1", A)] }, { ...backend, sidecars: [proxy("2.0.1", B)] }, { digests: "exact" }), "a sidecar's digest");
            assert.ok(!samePin(backend, { ...backend, sidecars: [proxy("2.0.1")] }, { digests: "exact" }), "a sidecar added");
            assert.ok(!samePin({ ...backend, initContainers: [proxy("2.0.1")] }, { ...backend, sidecars: [proxy("2.0.1")] }, { digests: "exact" }), "the list matters");
            assert.ok(!samePin({ ...backend, initContainers: [warm, proxy("2.0.1")] }, { ...backend, initContainers: [proxy("2.0.1"), warm] }, { digests: "exact" }), "the order matters");
            assert.ok(!samePin(backend, { ...backend, digest: A }, { digests: "exact" }), "a digest pinned");
        });

        it("where-pinned: a digest counts where the wanted pin has one; requireDigest asks one of the other side", () => {
            assert.ok(samePin(backend, { ...backend, digest: A }, { digests: "where-pinned" }));
            assert.ok(!samePin({ ...backend, digest: A }, backend, { digests: "where-pinned" }));
            assert.ok(!samePin({ ...backend, digest: A }, { ...backend, digest: B }, { digests: "where-pinned" }));
            assert.ok(!samePin(backend, backend, { digests: "where-pinned", requireDigest: true }));
        });

        it("where-pinned, extra containers ignored: the other side's own containers do not count", () => {
            const target = { ...backend, sidecars: [proxy("2.0.1")] };
            assert.ok(samePin(backend, target, { digests: "where-pinned", extraInHave: "ignore" }));
            assert.ok(!samePin({ ...backend, sidecars: [proxy("2.0.2")] }, target, { digests: "where-pinned", extraInHave: "ignore" }));
        });

        it("by-content: a digest alone names the image", () => {
            assert.ok(samePin({ ...backend, digest: A }, { ...backend, tag: "other", digest: A }, { digests: "by-content" }));
            assert.ok(!samePin({ ...backend, digest: A }, { ...backend, digest: B }, { digests: "by-content" }));
            assert.ok(samePin(backend, { ...backend, digest: A }, { digests: "by-content" }));
        });

        it("pinKey agrees with exact samePin, for entries as config records them", () => {
            const pins = [backend, { ...backend, digest: A }, { ...backend, sidecars: [proxy("2.0.1")] }, { ...backend, sidecars: [proxy("2.0.2")] }, { ...backend, initContainers: [warm, proxy("1")] }, { ...backend, initContainers: [proxy("1"), warm] }];
            for (const a of pins) for (const b of pins) assert.equal(pinKey(a) === pinKey(b), samePin(a, b, { digests: "exact" }), `${pinKey(a)} / ${pinKey(b)}`);
            assert.equal(pinKey(artifactOfEntry({ image: backend.image, tag: "2023.05.1", sidecars: [] })), pinKey(backend));
        });
    });

    describe("direction", () => {
        it("orders by the scheme, and says unordered where it cannot", () => {
            assert.equal(direction("calver", "2023.04.2", "2023.05.1"), "upgrade");
            assert.equal(direction("semver", "1.5.0", "1.4.0"), "downgrade");
            assert.equal(direction("calver", "2023.05.1", "2023.05.1"), "same");
            assert.equal(direction("commit", "abc1234", "def5678"), "unordered");
            assert.equal(direction("calver", undefined, "2023.05.1"), "unordered");
        });
    });

    describe("diffPin", () => {
        it("names each changed container, the main image apart", () => {
            const diff = diffPin({ ...backend, sidecars: [proxy("2.0.1")] }, { ...backend, sidecars: [proxy("2.0.2")] }, "calver");
            assert.deepEqual([diff.same, diff.mainChanged, diff.direction, diff.containers.map((c) => c.text)], [false, false, "same", ["sidecar proxy: 2.0.1 → 2.0.2"]]);
        });

        it("a digest alone, an init container, an added and a removed container", () => {
            assert.deepEqual(diffPin({ ...backend, sidecars: [proxy("2.0.1", A)] }, { ...backend, sidecars: [proxy("2.0.1", B)] }, "calver").containers.map((c) => c.text), ["sidecar proxy: 2.0.1@sha256:aaaaaaaaaaaa → 2.0.1@sha256:bbbbbbbbbbbb"]);
            assert.deepEqual(diffPin({ ...backend, initContainers: [warm] }, { ...backend, initContainers: [{ ...warm, tag: "1.1.0" }] }, "calver").containers.map((c) => c.text), ["init container warm: 1.0.0 → 1.1.0"]);
            assert.deepEqual(diffPin(backend, { ...backend, sidecars: [proxy("2.0.1")] }, "calver").containers.map((c) => c.text), ["sidecar proxy added: ghcr.io/example/proxy:2.0.1"]);
            assert.deepEqual(diffPin({ ...backend, sidecars: [proxy("2.0.1")] }, backend, "calver").containers.map((c) => c.text), ["sidecar proxy removed (was ghcr.io/example/proxy:2.0.1)"]);
        });

        it("the same pin is the same", () => {
            const pin = { ...backend, digest: A, sidecars: [proxy("2.0.1")] };
            assert.deepEqual(diffPin(pin, pin, "calver"), { same: true, mainChanged: false, direction: "same", containers: [] });
        });
    });

    describe("promotion and blue-green", () => {
        it("a promoted artifact takes the source's containers in the target's places and keeps the target's own", () => {
            const target = { ...backend, sidecars: [proxy("2.0.1"), { ...warm, name: "metrics" }] };
            const source = { ...backend, tag: "2023.06.1", sidecars: [proxy("2.0.2"), warm] };
            assert.deepEqual(promotedArtifact(source, target), { ...backend, tag: "2023.06.1", sidecars: [proxy("2.0.2"), { ...warm, name: "metrics" }, warm] });
        });

        it("colours: the active one runs the pin, the other previous; a cutover swaps them", () => {
            const pin = { ...backend, activeColor: "green" as const, previous: { tag: "2023.04.3" } };
            assert.deepEqual(colorImages(pin), { green: { image: backend.image, tag: "2023.05.1", digest: undefined }, blue: { image: backend.image, tag: "2023.04.3", digest: undefined } });
            assert.deepEqual(swappedColors(pin), { previous: { tag: "2023.05.1" }, activeColor: "blue" });
            assert.deepEqual(swappedColors({ tag: "1", digest: A }), { previous: { tag: "1", digest: A }, activeColor: "green" });
        });
    });
});
