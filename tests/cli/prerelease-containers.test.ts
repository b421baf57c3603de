import { strict as assert } from "assert";
import { productionYaml, stagingYaml } from "../unit/promote/support/project";
import { pushImage, RunningRegistry, startRegistry } from "../e2e/support/registry";
import { deployedFile, fakePulumi, FakePulumi } from "./fake-pulumi";
import { DIGEST, threeStacks } from "./fixtures";
import { ensureBuilt, jsonLines, removeTempProjects, runPinstack, snapshot, tempProject, TempProject } from "./helpers";

/**
 * Issue 20 item 3: release candidates that neither semver nor PEP 440 parse reached production
 * as sidecars and init containers; `check`, `verify-image --stack production` and `promote`
 * into production passed them. Each now names the container's tag as a prerelease.
 */

const CANDIDATES = ["2023.06.1-rc1", "2023.06.1rc1", "2023.06.1.dev1", "v1.2rc1", "v1.4.0.rc1", "1.0.0-SNAPSHOT"];
/** Variants and builds that production must keep taking (they once read as semver prereleases). */
const RELEASES = ["1.25.3-alpine", "1.27.0-bookworm", "15.4-debian-12-r7", "v2.0.2", "a1b2c3d"];

/** `list:` under production's backend, one container running `tag`. */
function withContainer(yaml: string, list: "sidecars" | "initContainers", tag: string): string {
    const block = `      ${list}:\n        - name: proxy\n          image: ghcr.io/example/proxy\n          tag: ${JSON.stringify(tag)}\n          digest: ${DIGEST}\n`;
    return yaml.replace("      scheme: calver\n", `      scheme: calver\n${block}`);
}

describe("prerelease tags of init containers and sidecars (process)", function () {
    this.timeout(180_000);
    before(ensureBuilt);
    after(removeTempProjects);

    describe("pinstack check --stack production", () => {
        let project: TempProject;
        let files: Record<string, string>;
        beforeEach(() => {
            files = threeStacks();
            project = tempProject(files);
        });

        for (const list of ["sidecars", "initContainers"] as const) {
            for (const tag of CANDIDATES) {
                it(`refuses a${list === "sidecars" ? " sidecar" : "n init container"} on ${tag} (exit 1), naming file, line and key`, () => {
                    project.write("Pulumi.production.yaml", withContainer(files["Pulumi.production.yaml"], list, tag));
                    const before = snapshot(project.dir);
                    const { code, stdout } = runPinstack(["check", "--stack", "production"], { cwd: project.dir });
                    assert.equal(code, 1, stdout);
                    assert.match(stdout, new RegExp(`Pulumi\\.production\\.yaml:\\d+:\\d+: pinstack:services\\.backend\\.${list}\\[0\\]: error \\[no-prereleases\\] .*'${tag.replace(/\./g, "\\.")}' is a prerelease`));
                    assert.deepEqual(snapshot(project.dir), before, "check wrote a file");
                });
            }
        }

        it("passes sidecars on release, variant and commit tags", () => {
            for (const tag of RELEASES) {
                project.write("Pulumi.production.yaml", withContainer(files["Pulumi.production.yaml"], "sidecars", tag));
                const { stdout } = runPinstack(["check", "--stack", "production", "--json"], { cwd: project.dir });
                const rules = jsonLines(stdout).filter((l) => l.type === "violation").map((l) => l.rule);
                assert.ok(!rules.includes("no-prereleases"), `${tag}: ${stdout}`);
            }
        });
    });

    describe("pinstack verify-image --stack production", () => {
        // The repository's production, whose registries are ghcr.io/pinstack-example.
        for (const tag of CANDIDATES) {
            it(`refuses ghcr.io/pinstack-example/proxy:${tag}@<digest> (exit 1, no-prereleases)`, () => {
                const { code, stdout } = runPinstack(["verify-image", `ghcr.io/pinstack-example/proxy:${tag}@${DIGEST}`, "--stack", "production", "--json"]);
                assert.equal(code, 1, stdout);
                const [line] = jsonLines(stdout);
                assert.deepEqual((line.violations as { rule: string }[]).map((v) => v.rule), ["no-prereleases"]);
            });
        }
        it("passes release, variant and commit tags", () => {
            for (const tag of RELEASES) {
                const { code, stdout } = runPinstack(["verify-image", `ghcr.io/pinstack-example/proxy:${tag}@${DIGEST}`, "--stack", "production", "--json"]);
                assert.equal(code, 0, `${tag}: ${stdout}`);
            }
        });
    });

    describe("pinstack promote staging production", () => {
        let registry: RunningRegistry;
        let pulumi: FakePulumi;
        before(async () => {
            registry = await startRegistry();
            await pushImage(registry, "example/backend", "2023.05.1", "backend 2023.05.1");
            await pushImage(registry, "example/frontend", "2023.05.4", "frontend 2023.05.4");
            for (const tag of ["2023.06.1-rc1", "v1.4.0.rc1", "1.25.3-alpine"]) await pushImage(registry, "example/proxy", tag, `proxy ${tag}`);
        });
        after(async () => {
            await registry?.stop();
        });
        afterEach(() => pulumi?.remove());

        /** A project whose staging backend runs `list` proxy on `tag`, deployed there two hours ago. */
        function project(list: "sidecars" | "initContainers", tag: string): TempProject {
            const block = `      ${list}:\n        - name: proxy\n          image: ${registry.host}/example/proxy\n          tag: ${JSON.stringify(tag)}\n`;
            const staging = stagingYaml({ registry: registry.host }).replace("      commit: 3f9c2a1e7b6d\n", `      commit: 3f9c2a1e7b6d\n${block}`);
            const dir = tempProject({ "Pulumi.yaml": "name: pinstack\nruntime: nodejs\n", "Pulumi.staging.yaml": staging, "Pulumi.production.yaml": productionYaml({ registry: registry.host }) });
            pulumi = fakePulumi();
            pulumi.setHistory("staging", [deployedFile(dir.file("Pulumi.staging.yaml"), { minutesAgo: 120, message: "deploy staging" })]);
            return dir;
        }
        const promote = (dir: TempProject) =>
            runPinstack(["promote", "staging", "production", "--service", "backend", "--reason", "ship it"], { cwd: dir.dir, env: { ...pulumi.env, PINSTACK_ACTOR: "ci@example.org" } });

        for (const [list, tag] of [["sidecars", "2023.06.1-rc1"], ["initContainers", "v1.4.0.rc1"]] as const) {
            it(`refuses a${list === "sidecars" ? " sidecar" : "n init container"} on ${tag} (exit 1, nothing written)`, () => {
                const dir = project(list, tag);
                const before = snapshot(dir.dir);
                const { code, stdout, stderr } = promote(dir);
                assert.equal(code, 1, stdout + stderr);
                assert.match(stdout + stderr, /no-prereleases/);
                assert.match(stdout + stderr, new RegExp(`'${tag.replace(/\./g, "\\.")}' is a prerelease`));
                assert.deepEqual(snapshot(dir.dir), before, "promote wrote a file");
            });
        }

        it("promotes a sidecar on a variant tag (1.25.3-alpine)", () => {
            const dir = project("sidecars", "1.25.3-alpine");
            const { code, stdout, stderr } = promote(dir);
            assert.equal(code, 0, stdout + stderr);
            assert.match(dir.read("Pulumi.production.yaml"), /tag: "?1\.25\.3-alpine"?/);
        });
    });
});

