import { strict as assert } from "assert";
import { compareLive, LiveDeployment } from "../../../../lib/live";
import { stackFromYaml } from "../../ci/helpers";

/** `status --live`: which containers run their pin. The cluster side is given, not read with kubectl. */
describe("lib/live: the cluster against the stack file", () => {
    const A = `sha256:${"a".repeat(64)}`;
    const B = `sha256:${"b".repeat(64)}`;
    const stack = (backend: string) =>
        stackFromYaml("staging", `config:\n  pinstack:environment: staging\n  pinstack:services:\n    backend:\n      image: ghcr.io/example/backend\n${backend}      scheme: calver\n      sidecars:\n        - name: proxy\n          image: ghcr.io/example/proxy\n          tag: 2.0.1\n`);
    const running = (main: string, proxy = "ghcr.io/example/proxy:2.0.1"): LiveDeployment[] => [
        { name: "backend", service: "backend", containers: [{ list: "containers", name: "backend", image: main }, { list: "containers", name: "proxy", image: proxy }] },
    ];
    const states = (backend: string, live: LiveDeployment[]) => compareLive(stack(backend), live).map((f) => `${f.container}:${f.state}`);

    it("a container matches its pin, or a tag-only pin with the digest it was resolved to", () => {
        assert.deepEqual(states("      tag: 2023.05.1\n", running("ghcr.io/example/backend:2023.05.1")), ["backend:matches", "proxy:matches"]);
        assert.deepEqual(states("      tag: 2023.05.1\n", running(`ghcr.io/example/backend:2023.05.1@${A}`, `ghcr.io/example/proxy:2.0.1@${B}`)), ["backend:matches", "proxy:matches"]);
        assert.deepEqual(states(`      tag: 2023.05.1\n      digest: ${A}\n`, running(`ghcr.io/example/backend:2023.05.1@${A}`)), ["backend:matches", "proxy:matches"]);
    });

    it("another tag, another digest, or a digest where none is pinned nor a tag, is drift", () => {
        assert.deepEqual(states("      tag: 2023.05.1\n", running("ghcr.io/example/backend:2023.05.2", "ghcr.io/example/proxy:2.0.2")), ["backend:drift", "proxy:drift"]);
        assert.deepEqual(states(`      tag: 2023.05.1\n      digest: ${A}\n`, running(`ghcr.io/example/backend:2023.05.1@${B}`)), ["backend:drift", "proxy:matches"]);
        assert.deepEqual(states(`      tag: 2023.05.1\n      digest: ${A}\n`, running("ghcr.io/example/backend:2023.05.1")), ["backend:drift", "proxy:matches"]);
    });
});
