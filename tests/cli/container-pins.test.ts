import { strict as assert } from "assert";
import { PLAYGROUND, PROJECT, STAGING } from "./fixtures";
import { ensureBuilt, jsonLines, removeTempProjects, runPinstack, snapshot, tempProject, TempProject } from "./helpers";

/**
 * A service's init containers and sidecars are part of its pin: `diff`, `status` and
 * `promote --dry-run` must show a change in any of them, not only in the main image
 * (issue #19: a sidecar moved while all three said backend was unchanged).
 */

const DIGEST_A = `sha256:${"a1".repeat(32)}`;
const DIGEST_B = `sha256:${"b2".repeat(32)}`;
const PROXY = "ghcr.io/example/proxy";

type Container = { name: string; tag: string; digest?: string; image?: string };

/** The lines of one init container or sidecar list under a service. */
function list(name: "initContainers" | "sidecars", containers: readonly Container[]): string {
    const entries = containers.map((c) => `        - name: ${c.name}\n          image: ${c.image ?? PROXY}\n          tag: ${c.tag}\n${c.digest ? `          digest: ${c.digest}\n` : ""}`);
    return `      ${name}:\n${entries.join("")}`;
}

/** Playground and staging with backend at the same main tag (2023.06.1) and `extra` lines under each one's backend. */
function project(playgroundExtra: string, stagingExtra: string): TempProject {
    const playground = PLAYGROUND.replace("      scheme: calver\n", `      scheme: calver\n${playgroundExtra}`);
    const staging = STAGING.replace("tag: 2023.05.1", "tag: 2023.06.1").replace("      scheme: calver\n", `      scheme: calver\n${stagingExtra}`);
    return tempProject({ "Pulumi.yaml": PROJECT, "Pulumi.playground.yaml": playground, "Pulumi.staging.yaml": staging });
}

const CASES: readonly { what: string; playground: string; staging: string; shown: RegExp }[] = [
    {
        what: "a sidecar's tag",
        playground: list("sidecars", [{ name: "proxy", tag: "2.0.2" }]),
        staging: list("sidecars", [{ name: "proxy", tag: "2.0.1" }]),
        shown: /sidecar proxy: 2\.0\.1 → 2\.0\.2/,
    },
    {
        what: "an init container's tag",
        playground: list("initContainers", [{ name: "warm", tag: "1.1.0" }]),
        staging: list("initContainers", [{ name: "warm", tag: "1.0.0" }]),
        shown: /init container warm: 1\.0\.0 → 1\.1\.0/,
    },
    {
        what: "a sidecar's digest alone",
        playground: list("sidecars", [{ name: "proxy", tag: "2.0.1", digest: DIGEST_B }]),
        staging: list("sidecars", [{ name: "proxy", tag: "2.0.1", digest: DIGEST_A }]),
        shown: /sidecar proxy: 2\.0\.1@sha256:a1a1a1a1a1a1 → 2\.0\.1@sha256:b2b2b2b2b2b2/,
    },
    {
        what: "a sidecar added",
        playground: list("sidecars", [{ name: "proxy", tag: "2.0.1" }]),
        staging: "",
        shown: /sidecar proxy added: ghcr\.io\/example\/proxy:2\.0\.1/,
    },
];

describe("pins with init containers and sidecars (process)", function () {
    this.timeout(120_000);
    let dir: TempProject;
    let filesBefore: Record<string, string>;
    before(ensureBuilt);
    afterEach(() => assert.deepEqual(snapshot(dir.dir), filesBefore, "the command wrote a file"));
    after(removeTempProjects);

    const run = (...args: string[]) => runPinstack(args, { cwd: dir.dir, env: { PINSTACK_ACTOR: "ci@example.org" } });
    const use = (playground: string, staging: string) => {
        dir = project(playground, staging);
        filesBefore = snapshot(dir.dir);
    };

    for (const c of CASES) {
        describe(c.what, () => {
            beforeEach(() => use(c.playground, c.staging));

            it("diff lists backend as a change and names the container", () => {
                const { code, stdout, stderr } = run("diff", "playground", "staging");
                assert.equal(code, 0, stderr);
                const backend = stdout.split("\n").find((l) => /^service\s+backend\s/.test(l));
                assert.ok(backend, stdout);
                assert.match(backend, /2023\.06\.1\s+->\s+2023\.06\.1/);
                assert.match(backend, c.shown);
                assert.match(stdout, /3 changes promoting playground -> staging/, "backend, api and the package");
                const json = jsonLines(run("diff", "playground", "staging", "--json").stdout).find((l) => l.name === "backend");
                assert.equal(json?.change, "update");
                assert.ok((json?.containers as string[]).some((line) => c.shown.test(line)), JSON.stringify(json));
            });

            it("status marks backend's containers as differing", () => {
                const { code, stdout, stderr } = run("status");
                assert.equal(code, 0, stderr);
                assert.match(stdout, /^service\s+backend\s+2023\.06\.1\s+2023\.06\.1\s+containers differ$/m);
                const row = jsonLines(run("status", "--json").stdout).find((r) => r.name === "backend");
                assert.deepEqual([row?.drift, row?.containersDiffer], [true, true]);
            });

            it("promote --dry-run's summary names the container", () => {
                const { code, stdout, stderr } = run("promote", "playground", "staging", "--service", "backend", "--reason", "proxy", "--allow-undeployed", "--dry-run");
                assert.equal(code, 0, stderr);
                assert.match(stdout, /^ {2}service backend {2}2023\.06\.1 -> 2023\.06\.1 {2}\(not checked: --allow-undeployed\)\n {6}(.+)\n/m);
                const summary = stdout.split("\n\n")[0];
                assert.match(summary, c.shown);
            });
        });
    }

    describe("a sidecar only the target has", () => {
        beforeEach(() => use("", list("sidecars", [{ name: "proxy", tag: "2.0.1" }])));

        it("diff: promoting leaves it, so backend is not a change", () => {
            const json = jsonLines(run("diff", "playground", "staging", "--json").stdout).find((l) => l.name === "backend");
            assert.equal(json?.change, "unchanged");
        });

        it("status still marks the containers as differing", () => {
            assert.match(run("status").stdout, /^service\s+backend\s+2023\.06\.1\s+2023\.06\.1\s+containers differ$/m);
        });

        it("promote --dry-run moves no container (it only seals staging's typed-in pin)", () => {
            const { code, stdout, stderr } = run("promote", "playground", "staging", "--service", "backend", "--reason", "proxy", "--allow-undeployed", "--dry-run");
            assert.equal(code, 0, stderr);
            const summary = stdout.split("\n\n")[0];
            assert.match(summary, /^ {2}service backend {2}2023\.06\.1 -> 2023\.06\.1 {2}\(not checked: --allow-undeployed\)$/m);
            assert.doesNotMatch(summary, /sidecar/);
        });
    });

    it("status: the same containers on both stacks are in sync", () => {
        const same = list("sidecars", [{ name: "proxy", tag: "2.0.1" }]);
        use(same, same);
        assert.match(run("status").stdout, /^service\s+backend\s+2023\.06\.1\s+2023\.06\.1\s+in sync$/m);
    });
});
