/**
 * The Fragalysis stack's release process, walked with pinstack, git and the real Pulumi CLI
 * with pinstack's policy pack: backend 2023.05.1 and frontend 2023.05.4 (calver tags made on
 * their repositories' production branches, checked against real repositories) released as
 * stack 2023.06.2 to the production-stack namespace; a tag off the production branch and a tag
 * that is not 3-part are refused; the release ticket text.
 *
 *   npx mocha --timeout 600000 examples/fragalysis/fragalysis.test.ts
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { assertRefused, ExampleProject, jsonLines, repoRoot } from "../support/harness";

const REGISTRY = "docker.io";
const PACK = path.join(repoRoot, "policies");

describe("examples/fragalysis: calver tags from production branches, released as one stack", function () {
    this.timeout(600_000);
    let project: ExampleProject;
    let BACKEND = "";
    let FRONTEND = "";
    const repos: Record<string, string> = {};
    const built: Record<string, string> = {}; // reference -> digest CI pushed

    before(async () => {
        project = await ExampleProject.create("fragalysis", { stacks: ["staging", "production"], registryHost: REGISTRY });
        BACKEND = project.image(`${REGISTRY}/xchem/fragalysis-backend`);
        FRONTEND = project.image(`${REGISTRY}/xchem/fragalysis-frontend`);
        // The previous stack release.
        project.git(["tag", "2023.06.1", "-m", "Release 2023.06.1"]);
    });
    after(async () => project?.remove());

    /** A commit in one of the application repositories, optionally tagged. */
    function commit(repo: string, message: string, tag?: string): void {
        project.git(["commit", "--quiet", "--allow-empty", "-m", message], repos[repo]);
        if (tag) project.git(["tag", tag], repos[repo]);
    }

    /**
     * CI's branch-tag step for each image a stack pins: `pinstack ci branch-tag` against the
     * application repository it is built from, each result written for `--gates` (and read
     * back as the pack's productionBranchTags).
     */
    function branchTagGates(stack: string): { files: string[]; productionBranchTags: Record<string, string[]> } {
        const services = project.stackConfig(stack)["pinstack:services"];
        const files: string[] = [];
        const productionBranchTags: Record<string, string[]> = {};
        for (const [name, image] of [["backend", BACKEND], ["frontend", FRONTEND]]) {
            const file = path.join(project.root, `branch-tag-${stack}-${name}.json`);
            const run = project.pinstack(["ci", "branch-tag", "--repo", repos[name], "--tag", services[name].tag, "--image", image, "--branch", "production", "-o", file]);
            assert.ok(run.code === 0 || run.code === 1, `${run.stdout}\n${run.stderr}`);
            files.push(file);
            Object.assign(productionBranchTags, JSON.parse(fs.readFileSync(file, "utf8")).gates.productionBranchTags);
        }
        return { files, productionBranchTags };
    }

    /** What CI hands the pack for a production deploy: the stack's policy config with the deployed facts and the gate results (strict). */
    function policyConfig(): string {
        const outputs = path.join(project.root, "outputs.json");
        fs.writeFileSync(outputs, project.pulumi(["stack", "output", "--stack", "production", "--json"]).stdout);
        const gates = branchTagGates("production").files.flatMap((file) => ["--gates", file]);
        const file = path.join(project.root, "policy-config.production.json");
        project.expectPinstack(0, ["ci", "policy-config", "--stack", "production", "--outputs", outputs, "--config", project.file("policies/config.production.json"), ...gates, "-o", file]);
        return file;
    }

    /** The release manager picks the versions: staging runs them first (a reviewed change), then they can be promoted. */
    function pinOnStaging(backend: string, frontend: string, message: string): void {
        project.setIn("staging", ["pinstack:services", "backend", "tag"], backend);
        project.setIn("staging", ["pinstack:services", "frontend", "tag"], frontend);
        project.commit(message, ["Pulumi.staging.yaml"]);
        project.up("staging", message);
    }

    it("staging follows `latest` (warnings only); `latest` never reaches production", () => {
        const run = project.expectPinstack(0, ["check", "--stack", "staging", "--json"]);
        const warnings = jsonLines(run.stdout).filter((l) => l.type === "violation");
        assert.deepStrictEqual(warnings.map((w) => [w.rule, w.level, w.subject]), [["no-mutable-tags", "advisory", "backend"], ["no-mutable-tags", "advisory", "frontend"]]);
        assertRefused(project.pinstack(["verify-image", `${BACKEND}:latest`, "--stack", "production", "--service", "backend"]), 1, /no-mutable-tags/);
    });

    it("backend and frontend repositories: production-grade tags on their production branches (git)", async () => {
        repos.backend = project.gitRepository("fragalysis-backend");
        commit("backend", "Initial import");
        project.git(["branch", "production"], repos.backend);
        commit("backend", "Target upload accepts zip files (#1101)");
        project.git(["checkout", "--quiet", "production"], repos.backend);
        project.git(["merge", "--quiet", "--ff-only", "main"], repos.backend);
        project.git(["tag", "2023.04.2"], repos.backend);
        project.git(["checkout", "--quiet", "main"], repos.backend);
        commit("backend", "Fix the RHS pose download (#1123)");
        project.git(["checkout", "--quiet", "production"], repos.backend);
        project.git(["merge", "--quiet", "--ff-only", "main"], repos.backend);
        project.git(["tag", "2023.05.1"], repos.backend);
        project.git(["checkout", "--quiet", "main"], repos.backend);
        commit("backend", "Experimental 3D viewer (#1130)", "2023.05.3"); // tagged on main only

        repos.frontend = project.gitRepository("fragalysis-frontend");
        commit("frontend", "Initial import");
        project.git(["branch", "production"], repos.frontend);
        project.git(["checkout", "--quiet", "production"], repos.frontend);
        commit("frontend", "Snapshot sharing (#1099)", "2023.04.3");
        commit("frontend", "New ligand table (#1131)", "2023.05.4");

        // `pinstack ci branch-tag`: the tag's commit is reachable from the production branch.
        for (const [repo, image, tag] of [[repos.backend, BACKEND, "2023.04.2"], [repos.backend, BACKEND, "2023.05.1"], [repos.frontend, FRONTEND, "2023.04.3"], [repos.frontend, FRONTEND, "2023.05.4"]]) {
            assert.match(project.expectPinstack(0, ["ci", "branch-tag", "--repo", repo, "--tag", tag, "--image", image, "--branch", "production"]).stdout, new RegExp(`^passed: tag ${tag.replace(/\./g, "\\.")} .* is on production`));
        }
        assertRefused(project.pinstack(["ci", "branch-tag", "--repo", repos.backend, "--tag", "2023.05.3", "--image", BACKEND, "--branch", "production"]), 1, /tag 2023\.05\.3 .* is on none of production/);
        // CI builds every tag it sees, on or off the production branch.
        for (const tag of ["2023.05.1", "2023.05.3", "2023.06"]) built[`${BACKEND}:${tag}`] = await project.publish(BACKEND, tag);
        built[`${FRONTEND}:2023.05.4`] = await project.publish(FRONTEND, "2023.05.4");
    });

    it("refusal: a tag that is not 3-part is built, runs on staging, but is not deployed to production", () => {
        const reference = `${BACKEND}:2023.06@${built[`${BACKEND}:2023.06`]}`;
        const staging = jsonLines(project.expectPinstack(0, ["verify-image", reference, "--stack", "staging", "--service", "backend", "--json"]).stdout)[0];
        assert.strictEqual(staging.allowed, true);
        const run = project.pinstack(["verify-image", reference, "--stack", "production", "--service", "backend", "--json"]);
        assert.strictEqual(run.code, 1);
        const production = jsonLines(run.stdout)[0];
        assert.strictEqual(production.allowed, false);
        assert.deepStrictEqual(production.violations.map((v: any) => v.rule), ["tag-scheme"]);
        assertRefused(project.pinstack(["bump", "calver", "2023.06"]), 2);
    });

    it("refusal: a backend tag off the production branch is refused (pinstack with the gate, the pack in CI)", () => {
        pinOnStaging("2023.05.3", "2023.05.4", "Staging: try backend 2023.05.3 with frontend 2023.05.4");

        // With the branch-tag results of the pins being promoted (--gates), promote refuses and writes nothing.
        const before = project.read("Pulumi.production.yaml");
        const gates = branchTagGates("staging").files.flatMap((file) => ["--gates", file]);
        assertRefused(project.pinstack(["promote", "staging", "production", "--reason", "Release 2023.06.2", ...gates]), 1, /production-branch-tag/, /2023\.05\.3/);
        assert.strictEqual(project.read("Pulumi.production.yaml"), before);

        // Without them pinstack cannot know the branch: the promotion PR is written, and CI's
        // preview with the pack (given the branch's tags) refuses it.
        project.expectPinstack(0, ["promote", "staging", "production", "--reason", "Release 2023.06.2"]);
        const preview = project.pulumi(["preview", "--stack", "production", "--policy-pack", PACK, "--policy-pack-config", policyConfig()], { allowFailure: true });
        assert.notStrictEqual(preview.code, 0, `${preview.stdout}\n${preview.stderr}`);
        assert.match(preview.stdout + preview.stderr, /production-branch-tag/);
        assert.match(preview.stdout + preview.stderr, /2023\.05\.3/);
        // The PR is closed unmerged.
        project.git(["checkout", "--", "Pulumi.production.yaml"]);
        project.git(["clean", "--quiet", "-f", "--", "."]);
        assert.strictEqual(project.read("Pulumi.production.yaml"), before);
    });

    it("release: backend 2023.05.1 + frontend 2023.05.4 promoted and deployed to production-stack", () => {
        pinOnStaging("2023.05.1", "2023.05.4", "Staging: backend 2023.05.1 (RHS fix #1123) with frontend 2023.05.4 (ligand table #1131)");
        project.expectPinstack(0, ["promote", "staging", "production", "--reason", "Release 2023.06.2: backend 2023.05.1, frontend 2023.05.4"]);
        const services = project.stackConfig("production")["pinstack:services"];
        assert.deepStrictEqual([services.backend.tag, services.frontend.tag], ["2023.05.1", "2023.05.4"]);
        assert.match(services.backend.digest, /^sha256:[0-9a-f]{64}$/, "production pins the digest the registry gave");
        project.commit("Release 2023.06.2: promote backend 2023.05.1 and frontend 2023.05.4 to production");

        project.up("production", "Release 2023.06.2", ["--policy-pack", PACK, "--policy-pack-config", policyConfig()]);
        const manifests = project.manifests("production");
        assert.strictEqual(manifests.image("production-stack", "backend"), `${BACKEND}:2023.05.1@${services.backend.digest}`);
        assert.strictEqual(manifests.image("production-stack", "frontend"), `${FRONTEND}:2023.05.4@${services.frontend.digest}`);
        assert.deepStrictEqual(manifests.all("Deployment").map((d) => d.metadata.namespace), ["production-stack", "production-stack"]);
        assert.strictEqual(manifests.versionJson("production-stack", "backend").promotedFrom, "staging");
    });

    it("the stack release: `pinstack bump calver` gives 2023.06.2, and `pinstack notes --ticket` the release ticket", () => {
        const next = project.expectPinstack(0, ["bump", "calver", "--date", "2023-06-20"]).stdout.trim();
        assert.strictEqual(next, "2023.06.2");
        assert.strictEqual(project.expectPinstack(0, ["bump", "calver", "--date", "2023-07-03"]).stdout.trim(), "2023.07.1", "a new month starts at 1");
        project.git(["tag", next, "-m", `Release ${next}`]);
        const ticket = project.expectPinstack(0, ["notes", "2023.06.1", next, "--ticket"]).stdout;
        const lines = ticket.split("\n");
        assert.strictEqual(lines[0], "Release 2023.06.2");
        assert.ok(lines.some((l) => /^- .*#1123/.test(l)), ticket);
        assert.ok(lines.some((l) => /^- .*#1131/.test(l)), ticket);
    });
});
