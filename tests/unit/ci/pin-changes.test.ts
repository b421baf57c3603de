import { strict as assert } from "assert";
import { reviewChanges } from "../../../lib/ci";
import type { PinComparison } from "../../../lib/format";
import { DIGEST_A, DIGEST_B, packageProvenance, serviceProvenance, stackFromYaml, stackYaml } from "./helpers";

const IMAGE = "ghcr.io/example/backend";

/** The version a row moves from and to: a package's version, a service's main tag. */
const from = (change: PinComparison) => change.before?.version ?? change.before?.tag;
const to = (change: PinComparison) => change.after?.version ?? change.after?.tag;

function production(options: Omit<Parameters<typeof stackYaml>[0], "environment">) {
    return stackFromYaml("production", stackYaml({ environment: "production", ...options }));
}

describe("lib/ci: pin changes between the base and the working copy of a stack file", () => {
    it("no change, no rows", () => {
        const stack = production({ tag: "2023.05.1", digest: DIGEST_A });
        assert.deepEqual(reviewChanges(stack, stack), []);
    });

    it("a promoted service: from -> to, both digests, provenance with a valid seal, direction up", () => {
        const provenance = serviceProvenance("backend", { image: IMAGE, tag: "2023.05.1", digest: DIGEST_B });
        const [change] = reviewChanges(production({ tag: "2023.04.2", digest: DIGEST_A }), production({ tag: "2023.05.1", digest: DIGEST_B, provenance }));
        assert.deepEqual(change, {
            kind: "service",
            name: "backend",
            change: "update",
            before: { image: IMAGE, tag: "2023.04.2", digest: DIGEST_A },
            after: { image: IMAGE, tag: "2023.05.1", digest: DIGEST_B },
            direction: "upgrade",
            notes: [],
            provenance,
            sealValid: true,
            provenanceOnly: false,
        });
    });

    it("a move backwards is a downgrade", () => {
        const [change] = reviewChanges(production({ tag: "2023.05.1" }), production({ tag: "2023.04.2" }));
        assert.equal(change.direction, "downgrade");
    });

    it("a provenance copied from another pin (or a tag edited after promotion) has a broken seal", () => {
        const sealedForOtherTag = serviceProvenance("backend", { image: IMAGE, tag: "2023.05.2", digest: DIGEST_B });
        const [change] = reviewChanges(production({ tag: "2023.04.2", digest: DIGEST_A }), production({ tag: "2023.05.1", digest: DIGEST_B, provenance: sealedForOtherTag }));
        assert.equal(change.sealValid, false);
    });

    it("a digest pinned or dropped with the same tag is a change", () => {
        const [pinned] = reviewChanges(production({ tag: "2023.05.1" }), production({ tag: "2023.05.1", digest: DIGEST_A }));
        assert.deepEqual([pinned.before?.digest, pinned.after?.digest, pinned.direction], [undefined, DIGEST_A, "same"]);
        const [dropped] = reviewChanges(production({ tag: "2023.05.1", digest: DIGEST_A }), production({ tag: "2023.05.1" }));
        assert.deepEqual([dropped.before?.digest, dropped.after?.digest], [DIGEST_A, undefined]);
    });

    it("the same artifact promoted again: a provenance-only change", () => {
        const before = serviceProvenance("backend", { image: IMAGE, tag: "2023.05.1", digest: DIGEST_A }, { reason: "first" });
        const after = serviceProvenance("backend", { image: IMAGE, tag: "2023.05.1", digest: DIGEST_A }, { reason: "again" });
        const [change] = reviewChanges(production({ tag: "2023.05.1", digest: DIGEST_A, provenance: before }), production({ tag: "2023.05.1", digest: DIGEST_A, provenance: after }));
        assert.equal(change.provenanceOnly, true);
        assert.equal(change.provenance?.reason, "again");
    });

    it("a package version change, with its provenance", () => {
        const provenance = packageProvenance("ukrdc-services", "10.8.5");
        const changes = reviewChanges(production({ tag: "2023.05.1", version: "10.8.5rc1" }), production({ tag: "2023.05.1", version: "10.8.5", packageProvenance: provenance }));
        assert.deepEqual(
            changes.map((c) => [c.kind, c.name, from(c), to(c), c.direction, c.sealValid]),
            [["package", "ukrdc-services", "10.8.5rc1", "10.8.5", "upgrade", true]],
        );
    });

    it("a new stack file: every pin is added", () => {
        const changes = reviewChanges(undefined, production({ tag: "2023.05.1", digest: DIGEST_A }));
        assert.deepEqual(changes.map((c) => [c.kind, c.name, c.change, to(c)]), [
            ["service", "backend", "add", "2023.05.1"],
            ["package", "ukrdc-services", "add", "10.8.5"],
        ]);
        assert.equal(changes[0].after?.image, IMAGE);
    });

    it("services and packages that the change removes come last", () => {
        const base = stackFromYaml(
            "staging",
            "config:\n  pinstack:environment: staging\n  pinstack:services:\n    api:\n      image: ghcr.io/example/api\n      tag: 2023.05.1\n      scheme: calver\n    worker:\n      image: ghcr.io/example/worker\n      tag: 2023.05.1\n      scheme: calver\n  pinstack:packages:\n    old-lib: 1.2.3\n",
        );
        const head = stackFromYaml("staging", "config:\n  pinstack:environment: staging\n  pinstack:services:\n    api:\n      image: ghcr.io/example/api\n      tag: 2023.05.2\n      scheme: calver\n");
        assert.deepEqual(reviewChanges(base, head).map((c) => [c.kind, c.name, c.change, from(c), to(c)]), [
            ["service", "api", "update", "2023.05.1", "2023.05.2"],
            ["service", "worker", "remove", "2023.05.1", undefined],
            ["package", "old-lib", "remove", "1.2.3", undefined],
        ]);
    });

    it("an image repository change is shown with both repositories", () => {
        const moved = stackFromYaml("production", stackYaml({ environment: "production", tag: "2023.05.1" }).replace(IMAGE, "ghcr.io/example/backend-v2"));
        const [change] = reviewChanges(production({ tag: "2023.05.1" }), moved);
        assert.deepEqual([change.before?.image, change.after?.image], [IMAGE, "ghcr.io/example/backend-v2"]);
    });

    it("a pin field that is secure: is refused before any diff is made, naming the key", () => {
        const secretDigest = stackYaml({ environment: "production", tag: "2023.05.1" }).replace("      scheme: calver\n", "      digest:\n        secure: v1:Zm9vYmFy\n      scheme: calver\n");
        assert.throws(() => stackFromYaml("production", secretDigest), /pinstack:services\.backend\.digest: a secret \(secure:\) cannot stand here/);
    });

    describe("init containers and sidecars", () => {
        const PROXY = "ghcr.io/example/proxy";
        /** The production stack with these lines under backend (sidecars:/initContainers: blocks). */
        const withContainers = (lines: string, tag = "2023.05.1") =>
            stackFromYaml("production", stackYaml({ environment: "production", tag, digest: DIGEST_A }).replace("      scheme: calver\n", `      scheme: calver\n${lines}`));
        const sidecar = (name: string, tag: string, image = PROXY) => `        - name: ${name}\n          image: ${image}\n          tag: ${tag}\n`;
        const init = (...entries: string[]) => `      initContainers:\n${entries.join("")}`;
        const sidecars = (...entries: string[]) => `      sidecars:\n${entries.join("")}`;

        it("a sidecar's tag alone is a pin change, said in one line", () => {
            const [change] = reviewChanges(withContainers(sidecars(sidecar("proxy", "2.0.1"))), withContainers(sidecars(sidecar("proxy", "2.0.2"))));
            assert.deepEqual([change.change, from(change), to(change), change.provenanceOnly, change.direction], ["update", "2023.05.1", "2023.05.1", false, "same"]);
            assert.deepEqual(change.containers, ["sidecar proxy: 2.0.1 → 2.0.2"]);
        });

        it("added, removed, re-imaged and reordered containers are each named", () => {
            const before = withContainers(init(sidecar("migrate", "1.0.0"), sidecar("warm", "1.0.0")) + sidecars(sidecar("proxy", "2.0.1"), sidecar("debug", "0.1.0")));
            const after = withContainers(init(sidecar("warm", "1.0.0"), sidecar("migrate", "1.0.0")) + sidecars(sidecar("proxy", "2.0.1", "docker.io/evil/proxy"), sidecar("metrics", "1.4.0")));
            const [change] = reviewChanges(before, after);
            assert.deepEqual(change.containers, [
                "init containers reordered: warm, migrate",
                `sidecar proxy: ${PROXY}:2.0.1 → docker.io/evil/proxy:2.0.1`,
                `sidecar metrics added: ${PROXY}:1.4.0`,
                `sidecar debug removed (was ${PROXY}:0.1.0)`,
            ]);
        });

        it("unchanged containers add nothing: the same stack has no pin change", () => {
            const stack = withContainers(sidecars(sidecar("proxy", "2.0.1")));
            assert.deepEqual(reviewChanges(stack, stack), []);
        });

        it("a container whose field is secure: in the stack file is refused by name, never its value", () => {
            const secretTag = stackYaml({ environment: "production", tag: "2023.05.1", digest: DIGEST_A }).replace("      scheme: calver\n", `      scheme: calver\n      sidecars:\n        - name: proxy\n          image: ${PROXY}\n          tag:\n            secure: v1:Zm9vYmFy\n`);
            assert.throws(() => stackFromYaml("production", secretTag), (err: Error) => /pinstack:services\.backend\.sidecars\[0\]\.tag: a secret \(secure:\) cannot stand here/.test(err.message) && !err.message.includes("Zm9vYmFy"));
        });

        it("the seal shown covers the containers: one sealed without them does not match", () => {
            const sealedWithout = serviceProvenance("backend", { image: IMAGE, tag: "2023.05.1", digest: DIGEST_A });
            const text = stackYaml({ environment: "production", tag: "2023.05.1", digest: DIGEST_A, provenance: sealedWithout }).replace("      scheme: calver\n", `      scheme: calver\n${sidecars(sidecar("proxy", "2.0.1"))}`);
            const [change] = reviewChanges(production({ tag: "2023.04.2", digest: DIGEST_A }), stackFromYaml("production", text));
            assert.equal(change.sealValid, false);
        });
    });
});
