/**
 * The Pulumi toolchain that scripts/setup builds from Go modules, exercised with the real CLI:
 * the CLI itself, pinstack's language host (programs and policy packs) and the upstream
 * Kubernetes provider, rendering and against the local cluster. Everything runs in a temporary
 * directory with its own PULUMI_HOME (its plugin cache linked to the project's) and a file
 * backend, so `pulumi login` never touches anyone's credentials. Needs `scripts/setup` to have
 * run; fails otherwise.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { testCluster } from "./support/cluster";

const repoRoot = path.resolve(__dirname, "../..");
// The project's own Pulumi home (scripts/env.sh), where scripts/setup installs everything.
const pulumiHome = process.env.PULUMI_HOME ?? path.join(repoRoot, ".pinstack", "pulumi");
const cliVersion = /github\.com\/pulumi\/pulumi\/pkg\/v3 (v\S+)/.exec(
    fs.readFileSync(path.join(repoRoot, "toolchain", "pulumi-cli", "go.mod"), "utf8"),
)![1];
const k8sVersion: string = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).dependencies["@pulumi/kubernetes"];

/** The environment scripts/env.sh gives, read by sourcing it in bash. */
function envFromScript(): NodeJS.ProcessEnv {
    const result = spawnSync("bash", ["-c", 'source scripts/env.sh && env -0'], { cwd: repoRoot, encoding: "utf8" });
    assert.strictEqual(result.status, 0, `sourcing scripts/env.sh failed: ${result.stderr}`);
    const env: NodeJS.ProcessEnv = {};
    for (const entry of result.stdout.split("\0")) {
        const eq = entry.indexOf("=");
        if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    return env;
}

interface Run {
    readonly code: number;
    readonly out: string; // stdout and stderr together, as a person would read them
}

const programTsconfig = JSON.stringify({
    compilerOptions: { strict: true, target: "es2022", module: "commonjs", skipLibCheck: true, esModuleInterop: true, types: ["node"] },
});

/** A scratch Pulumi workspace: PULUMI_HOME, a file backend and room for projects. */
class Workspace {
    readonly root = fs.mkdtempSync(path.join(os.tmpdir(), "pinstack-toolchain-"));
    readonly env: NodeJS.ProcessEnv;

    constructor() {
        const home = path.join(this.root, "pulumi-home");
        fs.mkdirSync(home);
        // The plugin cache holds the kubernetes provider scripts/setup registered.
        fs.symlinkSync(path.join(pulumiHome, "plugins"), path.join(home, "plugins"), "dir");
        this.env = { ...envFromScript(), PULUMI_HOME: home };
        delete this.env.PULUMI_BACKEND_URL; // `pulumi login` below decides
        delete this.env.FORCE_COLOR;
    }

    /** Writes a TypeScript Pulumi project using the repository's node_modules. */
    project(name: string, indexTs: string): string {
        const dir = path.join(this.root, name);
        fs.mkdirSync(dir);
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${name}\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n`);
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, version: "0.0.0", private: true }));
        fs.writeFileSync(path.join(dir, "tsconfig.json"), programTsconfig);
        fs.writeFileSync(path.join(dir, "index.ts"), indexTs);
        fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
        return dir;
    }

    pulumi(cwd: string, args: string[]): Run {
        const result = spawnSync("pulumi", [...args, "--non-interactive", "--color", "never"], {
            cwd,
            env: this.env,
            encoding: "utf8",
            timeout: 600_000,
            maxBuffer: 64 * 1024 * 1024,
        });
        if (result.error) throw result.error;
        return { code: result.status ?? -1, out: `${result.stdout}\n${result.stderr}` };
    }

    /** Runs pulumi and fails the test, with its output, unless it exits 0. */
    ok(cwd: string, args: string[]): string {
        const run = this.pulumi(cwd, args);
        assert.strictEqual(run.code, 0, `pulumi ${args.join(" ")} exited ${run.code}:\n${run.out}`);
        return run.out;
    }

    remove(): void {
        fs.rmSync(this.root, { recursive: true, force: true });
    }
}

/** A program with a render-to-directory provider and one Deployment whose image is config. */
const deploymentProgram = `
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";

const config = new pulumi.Config();
const provider = new k8s.Provider("render", { renderYamlToDirectory: "rendered", namespace: "e2e" });
const labels = { app: "web" };
const web = new k8s.apps.v1.Deployment("web", {
    metadata: { labels },
    spec: {
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: "web", image: config.require("image") }] } },
    },
}, { provider });
new k8s.core.v1.Service("web", { metadata: { name: "web" }, spec: { selector: labels, ports: [{ port: 80 }] } }, { provider });
export const deployment = web.metadata.name;
`;

function renderedFiles(dir: string): string[] {
    const root = path.join(dir, "rendered");
    if (!fs.existsSync(root)) return [];
    return fs.readdirSync(root, { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".yaml"))
        .sort();
}

function readManifest(dir: string, file: string): any {
    return YAML.parse(fs.readFileSync(path.join(dir, "rendered", file), "utf8"));
}

describe("Pulumi toolchain built by scripts/setup (real CLI, offline)", function () {
    this.timeout(15 * 60 * 1000);
    let ws: Workspace;

    before(function () {
        ws = new Workspace();
        const state = path.join(ws.root, "state");
        fs.mkdirSync(state);
        ws.ok(ws.root, ["login", `file://${state}`]);
    });
    after(() => ws?.remove());

    it("the pulumi on PATH after scripts/env.sh is the CLI built at the pinned version", function () {
        const out = ws.ok(ws.root, ["version"]).trim();
        assert.strictEqual(out, cliVersion);
        const which = spawnSync("bash", ["-c", "command -v pulumi"], { env: ws.env, encoding: "utf8" }).stdout.trim();
        assert.strictEqual(which, path.join(pulumiHome, "bin", "pulumi"));
        assert.ok(fs.existsSync(path.join(path.dirname(which), "pulumi-language-nodejs")), "language host next to the CLI");
    });

    it(`the kubernetes plugin v${k8sVersion} is the upstream provider, in the project's plugin cache`, function () {
        assert.strictEqual(k8sVersion, "4.25.0", "package.json pins the SDK to the provider version setup builds");
        const out = ws.ok(ws.root, ["plugin", "ls", "--json"]);
        const plugins: { name: string; kind: string; version: string; path: string }[] = JSON.parse(out.slice(out.indexOf("["), out.lastIndexOf("]") + 1));
        const k8s = plugins.find((p) => p.name === "kubernetes" && p.kind === "resource" && p.version === k8sVersion);
        assert.ok(k8s, `no resource plugin kubernetes ${k8sVersion} in ${JSON.stringify(plugins)}`);
        // Built from github.com/pulumi/pulumi-kubernetes/provider/v4 (its Go build info says so).
        const binary = path.join(pulumiHome, "plugins", `resource-kubernetes-v${k8sVersion}`, "pulumi-resource-kubernetes");
        const info = spawnSync("go", ["version", "-m", binary], { encoding: "utf8" });
        assert.strictEqual(info.status, 0, info.stderr);
        assert.match(info.stdout, /\tdep\tgithub\.com\/pulumi\/pulumi-kubernetes\/provider\/v4\tv4\.0\.0-20260115033456-f47bc2d6f199/);
        assert.doesNotMatch(info.stdout, /kubernetes-render/);
    });

    it("nothing is read from or written to ~/.pulumi: the project's PULUMI_HOME holds it all", function () {
        const home = fs.mkdtempSync(path.join(os.tmpdir(), "pinstack-home-"));
        try {
            const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
            delete env.PULUMI_HOME;
            const script = 'source scripts/env.sh && echo "$PULUMI_HOME" && pulumi plugin ls --json >/dev/null && pulumi whoami >/dev/null 2>&1; true';
            const run = spawnSync("bash", ["-c", script], { cwd: repoRoot, env, encoding: "utf8" });
            assert.strictEqual(run.status, 0, run.stderr);
            assert.strictEqual(run.stdout.trim(), path.join(repoRoot, ".pinstack", "pulumi"));
            assert.ok(!fs.existsSync(path.join(home, ".pulumi")), "something was written to $HOME/.pulumi");
        } finally {
            fs.rmSync(home, { recursive: true, force: true });
        }
    });

    describe("a TypeScript program rendering a Deployment", function () {
        let dir: string;
        const pinned = (tag: string) => `registry.example.com/team/web:${tag}`;

        before(function () {
            dir = ws.project("render", deploymentProgram);
            ws.ok(dir, ["stack", "init", "e2e", "--secrets-provider", "passphrase"]);
            ws.ok(dir, ["config", "set", "image", pinned("1.4.0")]);
        });

        it("previews the resources without writing manifests", function () {
            const out = ws.ok(dir, ["preview"]);
            assert.match(out, /\+\s+kubernetes:apps\/v1:Deployment\s+web\s+create/);
            assert.match(out, /\+ 4 to create/); // stack, provider, deployment, service
            assert.deepStrictEqual(renderedFiles(dir), [], "a preview must not render files");
        });

        it("up renders the Deployment with the configured image", function () {
            ws.ok(dir, ["up", "--yes", "--skip-preview", "--message", "first release"]);
            const files = renderedFiles(dir);
            assert.strictEqual(files.length, 2, `rendered: ${files}`);
            const deploymentFile = files.find((f) => f.startsWith(path.join("1-manifest", "apps_v1-deployment-e2e-web-")));
            assert.ok(deploymentFile, `no Deployment manifest among ${files}`);
            const manifest = readManifest(dir, deploymentFile);
            assert.strictEqual(manifest.kind, "Deployment");
            assert.strictEqual(manifest.metadata.namespace, "e2e");
            assert.strictEqual(manifest.metadata.annotations["pulumi.com/autonamed"], "true");
            assert.strictEqual(manifest.spec.template.spec.containers[0].image, pinned("1.4.0"));
            assert.ok(files.includes(path.join("1-manifest", "v1-service-e2e-web.yaml")), `no Service manifest among ${files}`);
        });

        it("preview --diff shows exactly the changed image, updated in place", function () {
            ws.ok(dir, ["config", "set", "image", pinned("1.4.1")]);
            const out = ws.ok(dir, ["preview", "--diff"]);
            assert.match(out, /image\s*:\s*"registry\.example\.com\/team\/web:1\.4\.0" => "registry\.example\.com\/team\/web:1\.4\.1"/);
            assert.match(out, /~ 1 to update/);
            assert.doesNotMatch(out, /to replace/);
        });

        it("a second up re-renders the same file and history shows both updates in order", function () {
            const before = renderedFiles(dir);
            ws.ok(dir, ["up", "--yes", "--skip-preview", "--message", "second release"]);
            assert.deepStrictEqual(renderedFiles(dir), before, "the update must rewrite, not add, manifests");
            const deploymentFile = before.find((f) => f.includes("apps_v1-deployment-"))!;
            assert.strictEqual(readManifest(dir, deploymentFile).spec.template.spec.containers[0].image, pinned("1.4.1"));

            const history: { message: string; kind: string; result: string; startTime: string; resourceChanges?: Record<string, number> }[] =
                JSON.parse(ws.ok(dir, ["stack", "history", "--json"]));
            assert.deepStrictEqual(
                history.map((h) => [h.kind, h.result, h.message]),
                [["update", "succeeded", "second release"], ["update", "succeeded", "first release"]],
            );
            assert.ok(Date.parse(history[0].startTime) >= Date.parse(history[1].startTime), "newest first");
            assert.deepStrictEqual(history[0].resourceChanges, { same: 3, update: 1 });
        });

        it("destroy removes the rendered manifests", function () {
            ws.ok(dir, ["destroy", "--yes", "--skip-preview"]);
            assert.deepStrictEqual(renderedFiles(dir), []);
        });
    });

    it("a program that throws reports its message and fails", function () {
        const dir = ws.project("throws", `
import * as pulumi from "@pulumi/pulumi";
const config = new pulumi.Config();
if (config.get("pin") === undefined) {
    throw new Error("pinstack e2e: no pin configured for this stack");
}
`);
        ws.ok(dir, ["stack", "init", "e2e", "--secrets-provider", "passphrase"]);
        const run = ws.pulumi(dir, ["preview"]);
        assert.notStrictEqual(run.code, 0, run.out);
        assert.match(run.out, /Error: pinstack e2e: no pin configured for this stack/);
    });

    it("an error from an async program is reported with its message", function () {
        const dir = ws.project("async-throws", `
export = async () => {
    throw new Error("pinstack e2e: rejected inside the async program");
};
`);
        ws.ok(dir, ["stack", "init", "e2e", "--secrets-provider", "passphrase"]);
        const run = ws.pulumi(dir, ["preview"]);
        assert.notStrictEqual(run.code, 0, run.out);
        assert.match(run.out, /Error: pinstack e2e: rejected inside the async program/);
    });

    it("programs get the util.inspect workaround (no Node.js loop on node_modules/<file> stack frames)", function () {
        // Without toolchain/language-nodejs/inspect-workaround.js this inspect loops until
        // "RangeError: Invalid string length" and the preview fails.
        const dir = ws.project("inspect", `
import * as util from "util";
const err = new Error("frame directly under a scope");
err.stack = "Error: frame directly under a scope\\n    at f (/x/node_modules/@pulumi/resource.ts:1598:22)";
export const inspected = util.inspect(err, { colors: true });
`);
        ws.ok(dir, ["stack", "init", "e2e", "--secrets-provider", "passphrase"]);
        const out = ws.ok(dir, ["preview"]);
        assert.match(out, /inspected:[^\n]*\n?[^\n]*frame directly under a scope at f \(\/x\/node_modules\/@pulumi\/resource\.ts:1598:22\)/);
    });

    it("the same provider applies to the local cluster: the object is in the API, and destroy removes it", function () {
        const cluster = testCluster();
        const dir = ws.project("cluster", `
import * as k8s from "@pulumi/kubernetes";
const provider = new k8s.Provider("cluster", { kubeconfig: ${JSON.stringify(cluster.kubeconfig)}, namespace: "default" });
new k8s.core.v1.ConfigMap("settings", { metadata: { name: "toolchain-e2e" }, data: { a: "b" } }, { provider });
`);
        ws.ok(dir, ["stack", "init", "e2e", "--secrets-provider", "passphrase"]);
        ws.ok(dir, ["up", "--yes", "--skip-preview"]);
        assert.deepStrictEqual(cluster.get(["configmap", "toolchain-e2e", "-n", "default"]).data, { a: "b" });
        ws.ok(dir, ["destroy", "--yes", "--skip-preview"]);
        assert.notStrictEqual(cluster.kubectl(["get", "configmap", "toolchain-e2e", "-n", "default"], true).code, 0, "destroy deleted it");
    });

    describe("a TypeScript policy pack run through the language host", function () {
        let packDir: string;
        let programDir: string;

        before(function () {
            packDir = path.join(ws.root, "policy-pack");
            fs.mkdirSync(packDir);
            fs.writeFileSync(path.join(packDir, "PulumiPolicy.yaml"), "runtime:\n  name: nodejs\n  options:\n    typescript: true\ndescription: e2e pack\n");
            fs.writeFileSync(path.join(packDir, "package.json"), JSON.stringify({ name: "e2e-pack", version: "0.0.1", private: true }));
            fs.writeFileSync(path.join(packDir, "tsconfig.json"), programTsconfig);
            fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(packDir, "node_modules"), "dir");
            fs.writeFileSync(path.join(packDir, "index.ts"), `
import * as k8s from "@pulumi/kubernetes";
import { PolicyPack, validateResourceOfType } from "@pulumi/policy";

new PolicyPack("e2e-pack", {
    policies: [{
        name: "e2e-no-latest-tag",
        description: "Images must be pinned to a version, not :latest.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(k8s.apps.v1.Deployment, (deployment, args, reportViolation) => {
            for (const c of deployment.spec?.template?.spec?.containers ?? []) {
                if (c.image?.endsWith(":latest")) reportViolation(\`container \${c.name} uses \${c.image}\`);
            }
        }),
    }],
});
`);
            programDir = ws.project("policed", deploymentProgram);
            ws.ok(programDir, ["stack", "init", "e2e", "--secrets-provider", "passphrase"]);
        });

        it("passes a compliant program", function () {
            ws.ok(programDir, ["config", "set", "image", "registry.example.com/team/web:2.0.0"]);
            const out = ws.ok(programDir, ["preview", "--policy-pack", packDir]);
            assert.match(out, /e2e-pack@v0\.0\.1/);
        });

        it("refuses a program that breaks a mandatory policy, naming the policy", function () {
            ws.ok(programDir, ["config", "set", "image", "registry.example.com/team/web:latest"]);
            const run = ws.pulumi(programDir, ["preview", "--policy-pack", packDir]);
            assert.notStrictEqual(run.code, 0, run.out);
            assert.match(run.out, /\[mandatory\]\s+e2e-no-latest-tag/);
            assert.match(run.out, /container web uses registry\.example\.com\/team\/web:latest/);
        });

        it("a stack configuration over 128 KiB reaches the program and the pack (Linux's limit for one variable)", function () {
            // Before, node could not start (E2BIG) and the CLI waited forever at "Loading policy packs".
            ws.ok(programDir, ["config", "set", "image", "registry.example.com/team/web:2.0.0"]);
            const stackFile = path.join(programDir, "Pulumi.e2e.yaml");
            const before = fs.readFileSync(stackFile, "utf8");
            try {
                fs.writeFileSync(stackFile, `${before.trimEnd()}\n  policed:padding: ${"p".repeat(200 * 1024)}\n`);
                const out = ws.ok(programDir, ["preview", "--policy-pack", packDir]);
                assert.match(out, /e2e-pack@v0\.0\.1/, "the pack ran");
                assert.ok(!fs.readdirSync(os.tmpdir()).some((f) => f.startsWith("pinstack-config-")), "the config file (decrypted secrets) was left behind");
            } finally {
                fs.writeFileSync(stackFile, before);
            }
        });
    });

    describe("a JavaScript policy pack that says typescript: false", function () {
        // @pulumi/pulumi's run-policy-pack registers ts-node for every pack; the language host
        // hands it the pack's own option (policy-typescript.js). The pack reports, as an advisory
        // finding, which compilers its node process has loaded.
        let packDir: string;
        let programDir: string;
        const probe = (typescript: boolean) => {
            fs.writeFileSync(path.join(packDir, "PulumiPolicy.yaml"), `runtime:\n  name: nodejs\n  options:\n    typescript: ${typescript}\ndescription: probe\n`);
            ws.ok(programDir, ["config", "set", "image", "registry.example.com/team/web:2.0.0"]);
            const out = ws.ok(programDir, ["preview", "--policy-pack", packDir]);
            const loaded = /loaded compilers: \[([^\]]*)\]/.exec(out);
            assert.ok(loaded, `the probe pack reported nothing:\n${out}`);
            return loaded[1];
        };

        before(function () {
            packDir = path.join(ws.root, "js-policy-pack");
            fs.mkdirSync(packDir);
            fs.writeFileSync(path.join(packDir, "package.json"), JSON.stringify({ name: "js-pack", version: "0.0.1", private: true, main: "index.js" }));
            fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(packDir, "node_modules"), "dir");
            fs.writeFileSync(path.join(packDir, "index.js"), `
const { PolicyPack } = require("@pulumi/policy");
const loaded = () => Object.keys(require.cache).filter((f) => /node_modules\\/(ts-node|typescript)\\//.test(f)).map((f) => f.includes("ts-node") ? "ts-node" : "typescript");
new PolicyPack("js-pack", {
    policies: [{
        name: "compilers",
        description: "Reports which compilers the pack's process loaded.",
        enforcementLevel: "advisory",
        validateStack: (args, reportViolation) => reportViolation(\`loaded compilers: [\${[...new Set(loaded())].sort().join(",")}]\`),
    }],
});
`);
            programDir = ws.project("js-policed", deploymentProgram);
            ws.ok(programDir, ["stack", "init", "e2e", "--secrets-provider", "passphrase"]);
        });

        it("runs without ts-node (so nothing is type-checked or compiled per preview)", function () {
            // typescript itself is loaded by @pulumi/pulumi (typescript-shim.js), for every program and pack alike.
            assert.strictEqual(probe(false), "typescript");
        });

        it("and with them when it says typescript: true (the preload is only for packs that opt out)", function () {
            assert.strictEqual(probe(true), "ts-node,typescript");
        });
    });

    it("the toolchain's own Go unit tests pass", function () {
        for (const module of ["language-nodejs"]) {
            const result = spawnSync("go", ["test", "./..."], { cwd: path.join(repoRoot, "toolchain", module), encoding: "utf8", timeout: 600_000 });
            if (result.error) throw result.error;
            assert.strictEqual(result.status, 0, `go test in toolchain/${module}:\n${result.stdout}\n${result.stderr}`);
        }
    });
});
