/**
 * The policy pack with the real Pulumi CLI: `pulumi preview --policy-pack policies
 * --policy-pack-config policies/config.<stack>.json` on temporary copies of the stacks
 * (cloud off; production previews against the local cluster, playground renders), each in a file backend of its own. The pack is the
 * repository's policies/ directory as committed, run by pinstack's language host.
 *
 * The bad pin is written the way it would get past the program's own check: the stack file
 * lowers the program's rules with `pinstack:preset.levels`, and, since a stack file may only
 * tighten its floor, the copy's own policies/config.<stack>.json lowers the floor the program
 * holds it to. The pack takes its levels from the config it is given (the repository's), not
 * from the stack file or the project, so it still refuses.
 *
 * Needs the toolchain (the CLI in .pinstack/pulumi/bin and scripts/env.sh, from scripts/setup); skipped
 * with a note otherwise.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { sealFor, sealProvenance, serviceSubject } from "../../lib/provenance";
import { ensureBuilt, runPinstack } from "../cli/helpers";
import { pulumiBinary } from "../support/toolchain";
import { testCluster } from "./support/cluster";

const repoRoot = path.resolve(__dirname, "../..");
const pulumiBin = pulumiBinary();
const envScript = path.join(repoRoot, "scripts", "env.sh");
const packDir = path.join(repoRoot, "policies");
/** What the program needs at run time; node_modules is linked, not copied. */
const projectEntries = ["Pulumi.yaml", "package.json", "index.ts", "program", "components", "lib", "stacks", "scripts"];

interface Run {
    readonly code: number;
    /** stdout and stderr together, as a person reads them. */
    readonly out: string;
    readonly stdout: string;
}

/** The environment scripts/env.sh sets up, over `overrides`. */
function pinstackEnv(overrides: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    const result = spawnSync("bash", ["-c", `source "${envScript}" && env -0`], { env: { ...process.env, ...overrides }, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`sourcing scripts/env.sh failed: ${result.stderr}`);
    const env: NodeJS.ProcessEnv = {};
    for (const entry of result.stdout.split("\0")) {
        const eq = entry.indexOf("=");
        if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    delete env.FORCE_COLOR;
    return env;
}

/** A copy of the project with its own file backend. */
class ProjectCopy {
    readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinstack-policies-e2e-"));
    private readonly env: NodeJS.ProcessEnv;

    /** @param stacks the stack files to copy (default: all; a stack that deploys to a cluster starts the test cluster) */
    constructor(stacks?: readonly string[]) {
        for (const entry of projectEntries) fs.cpSync(path.join(repoRoot, entry), path.join(this.dir, entry), { recursive: true });
        const wanted = (file: string) => /^tsconfig.*\.json$/.test(file) || (/^Pulumi\..+\.yaml$/.test(file) && (!stacks || stacks.includes(file.slice("Pulumi.".length, -".yaml".length))));
        // Stack files, and every tsconfig (Pulumi.yaml may name one for the language host).
        for (const file of fs.readdirSync(repoRoot).filter(wanted)) {
            fs.copyFileSync(path.join(repoRoot, file), path.join(this.dir, file));
        }
        // The stacks that deploy to a cluster preview against the test cluster: the pack sees
        // what the provider's server-side dry run returns, as it does for a real deploy.
        for (const file of fs.readdirSync(this.dir).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) {
            const text = fs.readFileSync(path.join(this.dir, file), "utf8");
            if (/^ {2}pinstack:kubeconfig: /m.test(text)) {
                fs.writeFileSync(path.join(this.dir, file), text.replace(/^( {2}pinstack:kubeconfig: ).*$/m, `$1${testCluster().kubeconfig}`));
            }
        }
        fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(this.dir, "node_modules"), "dir");
        const state = path.join(this.dir, ".pulumi-state");
        fs.mkdirSync(state);
        this.env = pinstackEnv({ PULUMI_BACKEND_URL: `file://${state}` });
    }

    pulumi(args: string[]): Run {
        const result = spawnSync(pulumiBin, [...args, "--non-interactive", "--color", "never", "--cwd", this.dir], {
            env: this.env,
            encoding: "utf8",
            timeout: 600_000,
            maxBuffer: 64 * 1024 * 1024,
        });
        if (result.error) throw result.error;
        return { code: result.status ?? -1, out: `${result.stdout}\n${result.stderr}`, stdout: result.stdout };
    }

    initStack(stack: string): void {
        const run = this.pulumi(["stack", "init", stack, "--secrets-provider", "passphrase"]);
        assert.strictEqual(run.code, 0, run.out);
    }

    /** `pulumi preview` of the stack with the pack and the config of `packConfig` (policies/config.<packConfig>.json, or a path to a config file). */
    previewWithPack(stack: string, packConfig?: string): Run {
        const configFile = packConfig && path.isAbsolute(packConfig) ? packConfig : packConfig ? path.join(packDir, `config.${packConfig}.json`) : undefined;
        return this.pulumi(["preview", "--stack", stack, "--policy-pack", packDir, ...(configFile ? ["--policy-pack-config", configFile] : [])]);
    }

    /**
     * Lowers the floor the program holds `stack` to: a policies/config.<stack>.json of the copy
     * with these levels. The pack is still given the repository's config (previewWithPack).
     * Returns the function that puts the floor back.
     */
    lowerProgramFloor(stack: string, levels: Record<string, string>): () => void {
        const dir = path.join(this.dir, "policies");
        fs.mkdirSync(dir, { recursive: true });
        const file = path.join(dir, `config.${stack}.json`);
        fs.writeFileSync(file, JSON.stringify(Object.fromEntries(Object.entries(levels).map(([rule, level]) => [rule, { enforcementLevel: level, preset: stack }]))));
        return () => fs.rmSync(file, { force: true });
    }

    /** Edits the stack file as YAML text: keeps the quoting of the rest of the file. */
    editStackFile(stack: string, edit: (doc: YAML.Document) => void): void {
        const file = path.join(this.dir, `Pulumi.${stack}.yaml`);
        const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"));
        edit(doc);
        fs.writeFileSync(file, doc.toString());
    }

    remove(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

/** The violations block of the preview: `- [mandatory]  no-mutable-tags  (kubernetes:apps/v1:Deployment: backend)`. */
function violations(out: string): { level: string; policy: string; resource: string }[] {
    return [...out.matchAll(/^\s*- \[(advisory|mandatory)\]\s+([a-z-]+)\s+\(([^)]*)\)/gm)].map((m) => ({ level: m[1], policy: m[2], resource: m[3] }));
}

describe("policy pack with the real Pulumi CLI (temporary stacks, cloud off; production on the local cluster, playground rendering)", function () {
    this.timeout(900_000);
    let project: ProjectCopy;

    before(function () {
        if (!fs.existsSync(pulumiBin) || !fs.existsSync(envScript)) {
            // A missing toolchain is a failure, never a silent skip: CI must not go green without these.
            throw new Error(`needs ${pulumiBin} and scripts/env.sh — run scripts/setup`);
        }
        project = new ProjectCopy();
        project.initStack("production");
        project.initStack("playground");
    });

    after(() => project?.remove());

    it("production-like stack: passes the committed pins (digests, sealed provenance from staging, blue-green standby)", () => {
        const run = project.previewWithPack("production", "production");
        assert.strictEqual(run.code, 0, run.out);
        assert.match(run.out, /pinstack@v0\.1\.0/, "the pack ran");
        assert.deepStrictEqual(violations(run.out), [], run.out);
    });

    it("production-like stack: a sidecar promoted with its service passes; the same sidecar's tag edited by hand is refused by the seal", () => {
        const file = path.join(project.dir, "Pulumi.production.yaml");
        const original = fs.readFileSync(file, "utf8");
        try {
            const proxy = { name: "proxy", image: "ghcr.io/pinstack-example/proxy", tag: "2.0.1", digest: `sha256:${"d".repeat(64)}` };
            project.editStackFile("production", (doc) => {
                const backend = (doc.getIn(["config", "pinstack:services", "backend"]) as YAML.YAMLMap).toJSON();
                const { seal: _seal, ...unsealed } = backend.provenance;
                doc.setIn(["config", "pinstack:services", "backend", "sidecars"], doc.createNode([proxy]));
                doc.setIn(["config", "pinstack:services", "backend", "provenance", "seal"], sealFor(serviceSubject({ name: "backend", ...backend, sidecars: [proxy] }), unsealed));
            });
            const promoted = project.previewWithPack("production", "production");
            assert.strictEqual(promoted.code, 0, promoted.out);
            assert.deepStrictEqual(violations(promoted.out), [], promoted.out);

            project.editStackFile("production", (doc) => {
                doc.setIn(["config", "pinstack:services", "backend", "sidecars", 0, "tag"], "2.0.2");
                // The program's own check would stop first; lowered here, so what refuses is the pack.
                doc.setIn(["config", "pinstack:preset", "levels"], doc.createNode({ provenance: "advisory" }));
            });
            const restoreFloor = project.lowerProgramFloor("production", { provenance: "advisory" });
            let edited: Run;
            try {
                edited = project.previewWithPack("production", "production");
            } finally {
                restoreFloor();
            }
            assert.notStrictEqual(edited.code, 0, edited.out);
            const found = violations(edited.out);
            assert.ok(found.some((v) => v.level === "mandatory" && v.policy === "provenance" && /Deployment: backend$/.test(v.resource)), edited.out);
            assert.match(edited.out, /seal does not match this pin or its init containers and sidecars/);
        } finally {
            fs.writeFileSync(file, original);
        }
    });

    it("production-like stack: refuses a pin edited to latest by hand, naming the policies, though the stack file lowered the program's own rules", () => {
        project.editStackFile("production", (doc) => {
            doc.setIn(["config", "pinstack:services", "backend", "tag"], "latest");
            doc.setIn(["config", "pinstack:preset", "levels"], doc.createNode({ "no-mutable-tags": "advisory", "provenance": "advisory" }));
        });
        const restoreFloor = project.lowerProgramFloor("production", { "no-mutable-tags": "advisory", "provenance": "advisory" });
        let run: Run;
        try {
            run = project.previewWithPack("production", "production");
        } finally {
            restoreFloor();
        }
        assert.notStrictEqual(run.code, 0, run.out);
        // The program let it through (its check only warned); the pack is what refused.
        assert.match(run.out, /warning: .*\[no-mutable-tags\] service backend has the tag 'latest'/);
        const found = violations(run.out);
        assert.ok(found.some((v) => v.level === "mandatory" && v.policy === "no-mutable-tags" && /Deployment: backend$/.test(v.resource)), run.out);
        assert.ok(found.some((v) => v.level === "mandatory" && v.policy === "no-mutable-tags" && /Job: backend-migrate$/.test(v.resource)), run.out);
        assert.ok(found.some((v) => v.level === "mandatory" && v.policy === "provenance"), "the hand edit also breaks the provenance seal");
        assert.match(run.out, /Deployment production-stack\/backend, container backend: service backend has the tag 'latest'/);
    });

    it("playground: the same latest pin is only a warning", () => {
        project.editStackFile("playground", (doc) => doc.setIn(["config", "pinstack:services", "backend", "tag"], "latest"));
        const run = project.previewWithPack("playground", "playground");
        assert.strictEqual(run.code, 0, run.out);
        const found = violations(run.out);
        assert.ok(found.some((v) => v.level === "advisory" && v.policy === "no-mutable-tags" && /Deployment: backend$/.test(v.resource)), run.out);
        assert.ok(found.every((v) => v.level === "advisory"), `only warnings:\n${run.out}`);
    });

    it("without --policy-pack-config the pack refuses to run (no preset, no guessing)", () => {
        const run = project.previewWithPack("playground");
        assert.notStrictEqual(run.code, 0, run.out);
        assert.match(run.out, /validating policy config: pinstack 0\.1\.0\s+no-mutable-tags: preset is required/);
    });
});

/**
 * Issue 20 items 5 and 6: the hold policy through the real pack with the config CI builds
 * (`pinstack ci policy-config --outputs --history`) from a stack with real updates. Playground
 * renders, so no cluster is needed; its preset keeps hold mandatory.
 */
describe("policy pack with the real Pulumi CLI: hold against what the stack ran (playground rendering, CI's config)", function () {
    this.timeout(900_000);
    let project: ProjectCopy;
    let packConfig: string;
    const services = ["config", "pinstack:services"];

    before(function () {
        if (!fs.existsSync(pulumiBin) || !fs.existsSync(envScript)) throw new Error(`needs ${pulumiBin} and scripts/env.sh — run scripts/setup`);
        ensureBuilt();
        project = new ProjectCopy(["playground"]);
        project.initStack("playground");
        // Two updates: backend 2023.06.1 (as committed), then 2023.06.3, which runs now.
        const first = project.pulumi(["up", "--stack", "playground", "--yes", "--skip-preview"]);
        assert.strictEqual(first.code, 0, first.out);
        project.editStackFile("playground", (doc) => doc.setIn([...services, "backend", "tag"], "2023.06.3"));
        const second = project.pulumi(["up", "--stack", "playground", "--yes", "--skip-preview"]);
        assert.strictEqual(second.code, 0, second.out);
        // What the deploy workflow runs before `pulumi up`.
        fs.writeFileSync(path.join(project.dir, "outputs.json"), project.pulumi(["stack", "output", "--stack", "playground", "--json"]).stdout);
        fs.writeFileSync(path.join(project.dir, "history.json"), project.pulumi(["stack", "history", "--stack", "playground", "--json"]).stdout);
        packConfig = path.join(project.dir, "policy-config.json");
        const config = runPinstack(["-C", project.dir, "ci", "policy-config", "--stack", "playground", "--outputs", "outputs.json", "--history", "history.json", "--config", path.join(packDir, "config.playground.json"), "-o", packConfig], { cwd: project.dir });
        assert.strictEqual(config.code, 0, config.stderr);
    });

    after(() => project?.remove());

    /** `ci policy-config` as the deploy runs it inside the weekend window of the stack file (Friday 11 December 2026, 17:00 London). */
    const frozenPackConfig = (): string => {
        const file = path.join(project.dir, "policy-config.frozen.json");
        const config = runPinstack(["-C", project.dir, "ci", "policy-config", "--stack", "playground", "--outputs", "outputs.json", "--history", "history.json", "--config", path.join(packDir, "config.playground.json"), "--now", "2026-12-11T17:00:00Z", "-o", file], { cwd: project.dir });
        assert.strictEqual(config.code, 0, config.stderr);
        return file;
    };
    const withFreeze = (edit: (doc: YAML.Document) => void, check: () => void) => {
        project.editStackFile("playground", (doc) => {
            doc.setIn(["config", "pinstack:freeze"], doc.createNode({ windows: ["Fri 16:00 - Mon 08:00 Europe/London"] }));
            edit(doc);
        });
        try {
            check();
        } finally {
            project.editStackFile("playground", (doc) => {
                doc.deleteIn(["config", "pinstack:freeze"]);
                doc.deleteIn([...services, "backend", "provenance"]);
                doc.setIn([...services, "backend", "tag"], "2023.06.3");
            });
        }
    };

    it("frozen (#21): a new pin is refused naming the window; a return to a pin the stack ran passes", () => {
        // What the deployed stack says of its freeze (none), which policy-config reads with --outputs.
        assert.deepEqual(JSON.parse(fs.readFileSync(path.join(project.dir, "outputs.json"), "utf8")).freeze, { windows: [], active: null });
        withFreeze(
            (doc) => doc.setIn([...services, "backend", "tag"], "2023.07.1"),
            () => {
                const config = frozenPackConfig();
                const run = project.previewWithPack("playground", config);
                assert.notStrictEqual(run.code, 0, run.out);
                assert.match(run.out, /service backend cannot be deployed now: playground is frozen: Fri 16:00 - Mon 08:00 Europe\/London, until 2026-12-14T08:00:00Z: only rollbacks pass/);
                project.editStackFile("playground", (doc) => doc.setIn([...services, "backend", "tag"], "2023.06.1"));
                const back = project.previewWithPack("playground", frozenPackConfig());
                assert.strictEqual(back.code, 0, back.out);
                assert.ok(!violations(back.out).some((v) => v.policy === "hold"), back.out);
            },
        );
    });

    it("frozen (#21): a pin promoted with --break-glass through this window passes", () => {
        const pin = { image: "ghcr.io/pinstack-example/backend", tag: "2023.07.1" };
        withFreeze(
            (doc) => {
                doc.setIn([...services, "backend", "tag"], pin.tag);
                const provenance = doc.createNode(sealProvenance(serviceSubject({ name: "backend", ...pin }), { from: "staging", at: "2026-12-11T16:30:00Z", by: "rm@example.org", reason: "CVE hotfix", breakGlass: { freeze: "Fri 16:00 - Mon 08:00 Europe/London", until: "2026-12-14T08:00:00Z" } }));
                (provenance.get("at", true) as YAML.Scalar).type = "QUOTE_DOUBLE";
                (provenance.getIn(["breakGlass", "until"], true) as YAML.Scalar).type = "QUOTE_DOUBLE";
                doc.setIn([...services, "backend", "provenance"], provenance);
            },
            () => {
                const config = frozenPackConfig();
                assert.deepEqual((JSON.parse(fs.readFileSync(config, "utf8")) as { hold: { freeze: { breakGlass: string[] } } }).hold.freeze.breakGlass, ["backend"]);
                const run = project.previewWithPack("playground", config);
                assert.strictEqual(run.code, 0, run.out);
                assert.ok(!violations(run.out).some((v) => v.policy === "hold"), run.out);
            },
        );
    });

    it("on hold, a return to the pin the first update ran passes", () => {
        project.editStackFile("playground", (doc) => {
            doc.setIn(["config", "pinstack:hold"], true);
            doc.setIn([...services, "backend", "tag"], "2023.06.1");
        });
        const run = project.previewWithPack("playground", packConfig);
        assert.strictEqual(run.code, 0, run.out);
        assert.ok(!violations(run.out).some((v) => v.policy === "hold"), run.out);
    });

    it("on hold, staging's pin with a recomputed rollback seal, a removed service and a moved package are each refused", () => {
        const pin = { image: "ghcr.io/pinstack-example/backend", tag: "2023.07.1" };
        project.editStackFile("playground", (doc) => {
            doc.setIn(["config", "pinstack:hold"], true);
            doc.setIn([...services, "backend", "tag"], pin.tag);
            const provenance = doc.createNode(sealProvenance(serviceSubject({ name: "backend", ...pin }), { from: "staging", at: "2026-12-08T00:00:00Z", by: "ops@example.org", reason: "incident", rollback: true }));
            // Quoted, as pinstack writes it: Pulumi reads an unquoted time as a time, and the seal would not match.
            (provenance.get("at", true) as YAML.Scalar).type = "QUOTE_DOUBLE";
            doc.setIn([...services, "backend", "provenance"], provenance);
            doc.deleteIn([...services, "frontend"]);
            doc.setIn(["config", "pinstack:packages", "ukrdc-services", "version"], "10.8.5rc2");
        });
        const run = project.previewWithPack("playground", packConfig);
        assert.notStrictEqual(run.code, 0, run.out);
        assert.ok(violations(run.out).some((v) => v.level === "mandatory" && v.policy === "hold"), run.out);
        assert.match(run.out, /service backend cannot be deployed now: playground is on hold: only rollbacks pass .*\(moved from the deployed ghcr\.io\/pinstack-example\/backend:2023\.06\.3 to ghcr\.io\/pinstack-example\/backend:2023\.07\.1, and the stack's update history has no successful update that ran it\)/);
        assert.doesNotMatch(run.out, /seal does not match/, "the hand-written rollback seal verifies: only the history refuses it");
        assert.match(run.out, /service frontend removed: it runs ghcr\.io\/pinstack-example\/frontend:2023\.06\.2 now/);
        assert.match(run.out, /package ukrdc-services moved from the deployed 10\.8\.5rc1 to 10\.8\.5rc2/);
    });
});

/**
 * Issue 20 item 4: a small program of its own (render mode, no cluster) declaring what the
 * pack had no map of, all on docker.io/evil/*:latest — an Argo Workflow, a Tekton Task, and a
 * custom resource with its pod spec 13 levels deep — previewed with the pack and production's
 * config, which refuses each kind (readable-kinds) and each image in it.
 */
describe("policy pack with the real Pulumi CLI: kinds the pack had no map of (a program of custom resources, rendering)", function () {
    this.timeout(900_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinstack-policies-kinds-e2e-"));
    let env: NodeJS.ProcessEnv;

    const program = `"use strict";
const k8s = require("@pulumi/kubernetes");
const provider = new k8s.Provider("render", { renderYamlToDirectory: "out" });
let nested = { containers: [{ name: "deep", image: "docker.io/evil/deep:latest" }] };
for (let level = 13; level >= 1; level--) nested = { ["level" + level]: nested };
new k8s.apiextensions.CustomResource("workflow", {
    apiVersion: "argoproj.io/v1alpha1", kind: "Workflow", metadata: { name: "nightly", namespace: "production" },
    spec: { entrypoint: "build", templates: [
        { name: "build", container: { image: "docker.io/evil/builder:latest", command: ["make"] } },
        { name: "report", script: { image: "docker.io/evil/reporter:latest", source: "echo done" } },
    ] },
}, { provider });
new k8s.apiextensions.CustomResource("task", {
    apiVersion: "tekton.dev/v1", kind: "Task", metadata: { name: "release", namespace: "production" },
    spec: { steps: [{ name: "push", image: "docker.io/evil/push:latest" }] },
}, { provider });
new k8s.apiextensions.CustomResource("nest", { apiVersion: "example.com/v1", kind: "Nest", metadata: { name: "nest" }, spec: nested }, { provider });
// Issue 20 items 3 and 12: release candidates no scheme parses, a variant, a branch-like tag.
const pinned = (repo, tag) => "ghcr.io/pinstack-example/" + repo + ":" + tag + "@sha256:" + "a".repeat(64);
new k8s.apps.v1.Deployment("sidecars", {
    metadata: { name: "sidecars", namespace: "production" },
    spec: { selector: { matchLabels: { app: "sidecars" } }, template: { metadata: { labels: { app: "sidecars" } }, spec: {
        initContainers: [{ name: "warm", image: pinned("warm", "v1.4.0.rc1") }],
        containers: [
            { name: "main", image: pinned("backend", "2023.06.1") },
            { name: "proxy", image: pinned("proxy", "2023.06.1-rc1") },
            { name: "cache", image: pinned("cache", "1.25.3-alpine") },
            { name: "agent", image: pinned("agent", "release-1.2") },
        ],
    } } },
}, { provider });
`;

    const pulumi = (args: string[]): Run => {
        const result = spawnSync(pulumiBin, [...args, "--non-interactive", "--color", "never", "--cwd", dir], { env, encoding: "utf8", timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
        if (result.error) throw result.error;
        return { code: result.status ?? -1, out: `${result.stdout}\n${result.stderr}`, stdout: result.stdout };
    };
    /** The committed production config, with `readable-kinds` changed by `edit`. */
    const packConfig = (name: string, edit: (readable: Record<string, unknown>) => void = () => {}): string => {
        const config = JSON.parse(fs.readFileSync(path.join(packDir, "config.production.json"), "utf8"));
        edit(config["readable-kinds"]);
        const file = path.join(dir, `${name}.json`);
        fs.writeFileSync(file, JSON.stringify(config));
        return file;
    };
    const preview = (config: string) => pulumi(["preview", "--stack", "production", "--policy-pack", packDir, "--policy-pack-config", config]);

    before(() => {
        if (!fs.existsSync(pulumiBin) || !fs.existsSync(envScript)) throw new Error(`needs ${pulumiBin} and scripts/env.sh — run scripts/setup`);
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: unfamiliar-kinds\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n");
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "unfamiliar-kinds", version: "0.0.0", main: "index.js" }));
        fs.writeFileSync(path.join(dir, "index.js"), program);
        fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
        fs.mkdirSync(path.join(dir, ".pulumi-state"));
        env = pinstackEnv({ PULUMI_BACKEND_URL: `file://${path.join(dir, ".pulumi-state")}` });
        const init = pulumi(["stack", "init", "production", "--secrets-provider", "passphrase"]);
        assert.strictEqual(init.code, 0, init.out);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const kinds = ["kubernetes:argoproj.io/v1alpha1:Workflow: workflow", "kubernetes:tekton.dev/v1:Task: task", "kubernetes:example.com/v1:Nest: nest"];

    it("production refuses each kind and each image in it", () => {
        const run = preview(packConfig("production"));
        assert.notStrictEqual(run.code, 0, run.out);
        const found = violations(run.out);
        for (const resource of kinds) {
            for (const policy of ["readable-kinds", "no-mutable-tags", "registry-allowed", "digest-required"]) {
                assert.ok(found.some((v) => v.level === "mandatory" && v.policy === policy && v.resource === resource), `${policy} on ${resource}:\n${run.out}`);
            }
        }
        assert.match(run.out, /Workflow production\/nightly, spec\.templates\[0\]\.container\.image: service nightly has the tag 'latest'/);
        assert.match(run.out, /Workflow production\/nightly, spec\.templates\[1\]\.script\.image: service nightly has the tag 'latest'/);
        assert.match(run.out, /Task production\/release, spec\.steps\[0\]\.image: service release has the tag 'latest'/);
        assert.match(run.out, /Nest nest, container deep: service nest has the tag 'latest'/);
        assert.match(run.out, /\(kubernetes:argoproj\.io\/v1alpha1:Workflow\) is a kind the policy pack cannot read/);
        assert.ok(found.some((v) => v.policy === "provenance"), `provenance wants a promoted pin for what they run:\n${run.out}`);
    });

    it("production refuses the release candidates of an init container and a sidecar, not a variant tag", () => {
        const run = preview(packConfig("production"));
        assert.notStrictEqual(run.code, 0, run.out);
        assert.ok(violations(run.out).some((v) => v.level === "mandatory" && v.policy === "no-prereleases" && v.resource === "kubernetes:apps/v1:Deployment: sidecars"), run.out);
        assert.match(run.out, /Deployment production\/sidecars, init container warm: .*'v1\.4\.0\.rc1' is a prerelease/);
        assert.match(run.out, /Deployment production\/sidecars, container proxy: .*'2023\.06\.1-rc1' is a prerelease/);
        assert.doesNotMatch(run.out, /'1\.25\.3-alpine' is a prerelease/);
    });

    it("staging takes the release candidates and refuses the branch-like sidecar tag", () => {
        const config = JSON.parse(fs.readFileSync(path.join(packDir, "config.staging.json"), "utf8"));
        const file = path.join(dir, "staging.json");
        fs.writeFileSync(file, JSON.stringify(config));
        const run = preview(file);
        assert.notStrictEqual(run.code, 0, run.out);
        const found = violations(run.out).filter((v) => v.resource === "kubernetes:apps/v1:Deployment: sidecars");
        assert.ok(!found.some((v) => v.policy === "no-prereleases"), run.out);
        assert.ok(found.some((v) => v.level === "mandatory" && v.policy === "no-mutable-tags"), run.out);
        assert.match(run.out, /Deployment production\/sidecars, container agent: .*branch-like tag 'release-1\.2'/);
    });

    it("a kind the config lists is no longer refused as unreadable; its images still are", () => {
        const run = preview(packConfig("allowed", (readable) => (readable.allowedKinds = ["kubernetes:argoproj.io/v1alpha1:Workflow"])));
        assert.notStrictEqual(run.code, 0, run.out);
        const found = violations(run.out);
        assert.ok(!found.some((v) => v.policy === "readable-kinds" && v.resource === kinds[0]), run.out);
        assert.ok(found.some((v) => v.policy === "readable-kinds" && v.resource === kinds[1]), run.out);
        assert.ok(found.some((v) => v.policy === "no-mutable-tags" && v.resource === kinds[0]), run.out);
    });
});
