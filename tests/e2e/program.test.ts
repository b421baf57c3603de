/**
 * The program with the real Pulumi CLI: a temporary copy of the project, a file backend of
 * its own, and the Kubernetes provider rendering manifests to out/<stack>/. Runs when the
 * toolchain is installed (the CLI in .pinstack/pulumi/bin and scripts/env.sh, from scripts/setup);
 * skipped with a note otherwise.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { sealProvenance, serviceSubject } from "../../lib/provenance";
import { pulumiBinary } from "../support/toolchain";

const repoRoot = path.resolve(__dirname, "../..");
const pulumiBin = pulumiBinary();
const envScript = path.join(repoRoot, "scripts", "env.sh");
/** What the program needs at run time; node_modules is linked, not copied. */
const projectEntries = ["Pulumi.yaml", "package.json", "tsconfig.json", "index.ts", "program", "components", "lib", "stacks", "scripts"];

interface Manifest {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    [key: string]: any;
}

/** A copy of the project in a temporary directory with its own file backend. */
class ProjectCopy {
    readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinstack-e2e-"));
    private readonly env: NodeJS.ProcessEnv;

    constructor() {
        for (const entry of projectEntries) fs.cpSync(path.join(repoRoot, entry), path.join(this.dir, entry), { recursive: true });
        for (const file of fs.readdirSync(repoRoot).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) {
            // This suite reads the rendered manifests: the stacks that deploy to the local cluster
            // (tests/e2e/cluster.test.ts covers that) render here instead, the same pins otherwise.
            const stack = /^Pulumi\.(.+)\.yaml$/.exec(file)![1];
            const text = fs.readFileSync(path.join(repoRoot, file), "utf8");
            fs.writeFileSync(path.join(this.dir, file), text.replace(/^ {2}pinstack:kubeconfig: .*$/m, `  pinstack:renderDir: out/${stack}`));
        }
        fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(this.dir, "node_modules"), "dir");
        const state = path.join(this.dir, ".pulumi-state");
        fs.mkdirSync(state);
        this.env = pinstackEnv({ PULUMI_BACKEND_URL: `file://${state}` });
    }

    pulumi(args: string[], options: { allowFailure?: boolean; env?: NodeJS.ProcessEnv } = {}): { code: number; stdout: string; stderr: string } {
        const result = spawnSync(pulumiBin, [...args, "--non-interactive", "--cwd", this.dir], {
            env: { ...this.env, ...options.env },
            encoding: "utf8",
            timeout: 600_000,
            maxBuffer: 64 * 1024 * 1024,
        });
        if (result.error) throw result.error;
        const out = { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
        if (out.code !== 0 && !options.allowFailure) {
            assert.fail(`pulumi ${args.join(" ")} exited ${out.code}\n${out.stdout}\n${out.stderr}`);
        }
        return out;
    }

    up(stack: string): void {
        this.pulumi(["stack", "init", stack, "--secrets-provider", "passphrase"], { allowFailure: true });
        this.pulumi(["up", "--stack", stack, "--yes", "--skip-preview"]);
    }

    stackConfig(stack: string): Record<string, any> {
        return YAML.parse(fs.readFileSync(path.join(this.dir, `Pulumi.${stack}.yaml`), "utf8")).config;
    }

    writeStackConfig(stack: string, config: Record<string, any>): void {
        // Every string quoted: Pulumi's YAML reader would take an unquoted 2023-05-02T09:30:00Z for a timestamp.
        fs.writeFileSync(path.join(this.dir, `Pulumi.${stack}.yaml`), YAML.stringify({ config }, { defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "PLAIN" }));
    }

    /** Every manifest rendered under out/<stack>/, keyed `Kind namespace/name`. */
    manifests(stack: string): Map<string, Manifest> {
        const out = new Map<string, Manifest>();
        const walk = (dir: string) => {
            for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
                const file = path.join(dir, entry.name);
                if (entry.isDirectory()) walk(file);
                else if (/\.ya?ml$/.test(entry.name)) {
                    for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, "utf8"))) {
                        const m = doc.toJS() as Manifest;
                        if (m?.kind) out.set(`${m.kind} ${m.metadata.namespace ?? ""}/${m.metadata.name}`, m);
                    }
                }
            }
        };
        walk(path.join(this.dir, "out", stack));
        return out;
    }

    remove(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

/** The environment scripts/env.sh sets up, over `overrides` (which it keeps: callers' values win). */
function pinstackEnv(overrides: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    const result = spawnSync("bash", ["-c", `source "${envScript}" && env -0`], { env: { ...process.env, ...overrides }, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`sourcing scripts/env.sh failed: ${result.stderr}`);
    const env: NodeJS.ProcessEnv = {};
    for (const entry of result.stdout.split("\0")) {
        const eq = entry.indexOf("=");
        if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    return env;
}

function reference(image: string, tag?: string, digest?: string): string {
    return `${image}${tag ? `:${tag}` : ""}${digest ? `@${digest}` : ""}`;
}

function get(manifests: Map<string, Manifest>, kind: string, namespace: string, name: string): Manifest {
    const m = manifests.get(`${kind} ${namespace}/${name}`);
    if (!m) assert.fail(`no ${kind} ${namespace}/${name} among:\n  ${[...manifests.keys()].join("\n  ")}`);
    return m;
}

/** Checks the rendered manifests of a stack against its config: images, colours, Jobs, version.json. */
function assertRenderedAsConfigured(manifests: Map<string, Manifest>, config: Record<string, any>): void {
    const ns = config["pinstack:namespace"];
    get(manifests, "Namespace", "", ns);
    for (const [name, pin] of Object.entries<any>(config["pinstack:services"])) {
        const pinned = reference(pin.image, pin.tag, pin.digest);
        const colors = pin.strategy === "blue-green" ? ["blue", "green"] : [undefined];
        const active = pin.activeColor ?? "blue";
        for (const color of colors) {
            const deployment = get(manifests, "Deployment", ns, color ? `${name}-${color}` : name);
            const pod = deployment.spec.template.spec;
            const runsPin = !color || color === active || !pin.previous;
            const expected = runsPin ? pinned : reference(pin.image, pin.previous.tag, pin.previous.digest);
            assert.strictEqual(pod.containers[0].image, expected, `${deployment.metadata.name} image`);
            const versionMap = get(manifests, "ConfigMap", ns, pod.volumes.find((v: any) => v.name === "version").configMap.name);
            const version = JSON.parse(versionMap.data["version.json"]);
            assert.strictEqual(version.image, expected);
            assert.strictEqual(version.version, runsPin ? pin.version ?? pin.tag : pin.previous.tag);
            if (runsPin) assert.strictEqual(version.promotedFrom, pin.provenance?.from ?? "");
        }
        const service = get(manifests, "Service", ns, name);
        assert.strictEqual(service.spec.selector["app.kubernetes.io/name"], name);
        assert.strictEqual(service.spec.selector["pinstack.dev/color"], pin.strategy === "blue-green" ? active : undefined);
        const jobs = [...manifests.values()].filter((m) => m.kind === "Job" && m.metadata.name.startsWith(`${name}-migrate-`));
        assert.strictEqual(jobs.length, pin.migrations ? 1 : 0, `${name} migrations Jobs`);
        if (pin.migrations) {
            assert.deepStrictEqual(jobs[0].spec.template.spec.containers[0].command, pin.migrations.command);
            assert.strictEqual(jobs[0].spec.template.spec.containers[0].image, pinned);
        }
    }
}

/** A property path of the Service's colour selector, however the engine quotes the key. */
const selectorColor = /^spec\.selector(\.|\[")pinstack\.dev\/color("\])?$/;

/** The steps of `pulumi preview --json` that would change something. */
function changes(previewJson: string): { op: string; type: string; name: string; diffs: string[] }[] {
    const preview = JSON.parse(previewJson);
    return (preview.steps ?? [])
        .filter((s: any) => s.op !== "same")
        .map((s: any) => ({
            op: s.op,
            type: s.newState?.type ?? s.oldState?.type ?? "",
            name: s.urn.split("::").pop(),
            diffs: Object.keys(s.detailedDiff ?? {}).length ? Object.keys(s.detailedDiff) : s.diffs ?? [],
        }));
}

describe("program with the real Pulumi CLI (rendered manifests)", function () {
    this.timeout(900_000);
    let project: ProjectCopy;

    before(function () {
        if (!fs.existsSync(pulumiBin) || !fs.existsSync(envScript)) {
            // A missing toolchain is a failure, never a silent skip: CI must not go green without these.
            throw new Error(`needs ${pulumiBin} and scripts/env.sh — run scripts/setup`);
        }
        project = new ProjectCopy();
    });

    after(() => project?.remove());

    it("playground: `pulumi up` renders the manifests of Pulumi.playground.yaml", () => {
        project.up("playground");
        assertRenderedAsConfigured(project.manifests("playground"), project.stackConfig("playground"));
        const history = JSON.parse(project.pulumi(["stack", "history", "--stack", "playground", "--json"]).stdout);
        assert.strictEqual(history[0].result, "succeeded");
    });

    it("`pulumi preview --debug` leaves out the SDK's per-resource trace lines; PINSTACK_SDK_TRACE=1 brings them back", () => {
        // scripts/quiet-sdk-trace.js, loaded through Pulumi.yaml's nodeargs by our language host.
        const trace = /debug: Registering resource: t=kubernetes:apps\/v1:Deployment, name=backend,/;
        const quiet = project.pulumi(["preview", "--stack", "playground", "--debug"]);
        assert.doesNotMatch(quiet.stdout + quiet.stderr, trace);
        const traced = project.pulumi(["preview", "--stack", "playground", "--debug"], { env: { PINSTACK_SDK_TRACE: "1" } });
        assert.match(traced.stdout + traced.stderr, trace);
    });

    it("production-like, cloud off: digests, production-stack namespace, provenance annotations", () => {
        const config = project.stackConfig("production");
        assert.strictEqual(config["pinstack:cloud"], false);
        project.up("production");
        const manifests = project.manifests("production");
        assertRenderedAsConfigured(manifests, config);
        const backend = get(manifests, "Deployment", "production-stack", "backend");
        assert.match(backend.spec.template.spec.containers[0].image, /@sha256:[0-9a-f]{64}$/);
        assert.strictEqual(backend.metadata.annotations?.["pinstack.dev/seal"], config["pinstack:services"].backend.provenance.seal);
        assert.strictEqual(backend.spec.replicas, 3);
        const outputs = JSON.parse(project.pulumi(["stack", "output", "--stack", "production", "--json"]).stdout);
        assert.strictEqual(outputs.pins.services.backend.reference, reference(backend.spec.template.spec.containers[0].image));
        assert.strictEqual(outputs.hold, false);
    });

    it("a blue-green switch changes only the Service selector in `pulumi preview --diff`", () => {
        project.up("staging");
        const config = project.stackConfig("staging");
        const frontend = config["pinstack:services"].frontend;
        assert.strictEqual(frontend.activeColor, "green");
        // Switch back to blue: blue already runs `previous`, so the pins change places.
        [frontend.tag, frontend.previous.tag] = [frontend.previous.tag, frontend.tag];
        frontend.activeColor = "blue";
        project.writeStackConfig("staging", config);
        const preview = project.pulumi(["preview", "--stack", "staging", "--diff", "--json"]);
        const steps = changes(preview.stdout);
        assert.deepStrictEqual(steps.map((s) => [s.op, s.type, s.name]), [["update", "kubernetes:core/v1:Service", "frontend"]], JSON.stringify(steps));
        assert.strictEqual(steps[0].diffs.length, 1, JSON.stringify(steps));
        assert.match(steps[0].diffs[0], selectorColor);
    });

    it("a production switch back (sealed rollback) leaves every pod template as it is", () => {
        const config = project.stackConfig("production");
        const frontend = config["pinstack:services"].frontend;
        const serving = { tag: frontend.tag, digest: frontend.digest };
        Object.assign(frontend, frontend.previous);
        frontend.previous = serving;
        frontend.activeColor = frontend.activeColor === "blue" ? "green" : "blue";
        frontend.provenance = sealProvenance(serviceSubject({ name: "frontend", image: frontend.image, tag: frontend.tag, digest: frontend.digest }), {
            from: "staging",
            at: "2023-05-03T08:00:00Z",
            by: "oncall@pinstack.example",
            reason: "switch back: uploads broken",
            rollback: true,
        });
        project.writeStackConfig("production", config);
        const steps = changes(project.pulumi(["preview", "--stack", "production", "--diff", "--json"]).stdout);
        assert.ok(steps.some((s) => s.name === "frontend" && s.diffs.some((d) => selectorColor.test(d))), JSON.stringify(steps));
        for (const step of steps) {
            assert.strictEqual(step.op, "update", JSON.stringify(step));
            for (const diff of step.diffs) assert.match(diff, /^(spec\.selector|metadata\.annotations)[.[]/, `${step.name}: ${diff}`);
        }
    });

    it("a secure: env value reaches the app through a Secret and is never printed or put in a pod spec", () => {
        // A stack of its own: its stack file gains an encryption salt and its state a secret.
        const stack = "secret-env";
        const config = project.stackConfig("playground");
        Object.assign(config, { "pinstack:environment": "playground", "pinstack:namespace": stack, "pinstack:renderDir": `out/${stack}` });
        project.writeStackConfig(stack, config);
        // A stack not named after its environment says what it is in its reviewed pack config (its floor).
        fs.mkdirSync(path.join(project.dir, "policies"), { recursive: true });
        fs.copyFileSync(path.join(repoRoot, "policies", "config.playground.json"), path.join(project.dir, "policies", `config.${stack}.json`));
        project.pulumi(["stack", "init", stack, "--secrets-provider", "passphrase"]);
        const secret = "hunter2-e2e-very-secret";
        project.pulumi(["config", "set", "--stack", stack, "--secret", "--path", "pinstack:services.backend.env.API_TOKEN", secret]);
        assert.match(fs.readFileSync(path.join(project.dir, `Pulumi.${stack}.yaml`), "utf8"), /API_TOKEN:\n\s+secure: /, "the stack file holds it encrypted");
        const preview = project.pulumi(["preview", "--stack", stack, "--diff"]);
        assert.ok(!(preview.stdout + preview.stderr).includes(secret), "the preview shows the value");
        project.pulumi(["up", "--stack", stack, "--yes", "--skip-preview"]);
        const manifests = project.manifests(stack);
        const backend = get(manifests, "Deployment", stack, "backend");
        assert.deepStrictEqual(
            backend.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === "API_TOKEN"),
            { name: "API_TOKEN", valueFrom: { secretKeyRef: { name: "backend-env", key: "API_TOKEN" } } },
        );
        assert.ok(!JSON.stringify(backend).includes(secret), "no secret value in the Deployment");
        assert.ok(get(manifests, "Secret", stack, "backend-env"), "the Secret is rendered");
        const state = project.pulumi(["stack", "export", "--stack", stack]).stdout;
        assert.ok(!state.includes(secret), "the state holds it encrypted");

        // The whole env map as one secret (`--secret --path …env '{json}'`): every entry is secret.
        const password = "postgres://admin:e2e-hunter3-map@db/app";
        project.pulumi(["config", "set", "--stack", stack, "--secret", "--path", "pinstack:services.frontend.env", JSON.stringify({ DB_URL: password, MODE: "blue" })]);
        assert.match(fs.readFileSync(path.join(project.dir, `Pulumi.${stack}.yaml`), "utf8"), /frontend:[\s\S]*?\n\s+env:\n\s+secure: /, "one secure: value for the map");
        const mapPreview = project.pulumi(["preview", "--stack", stack, "--diff"]);
        const mapJson = project.pulumi(["preview", "--stack", stack, "--json"]);
        for (const [what, text] of [["preview --diff", mapPreview.stdout + mapPreview.stderr], ["preview --json", mapJson.stdout + mapJson.stderr]]) {
            assert.ok(!text.includes("hunter3"), `${what} shows the password`);
        }
        project.pulumi(["up", "--stack", stack, "--yes", "--skip-preview"]);
        const after = project.manifests(stack);
        const frontends = [...after.values()].filter((m: any) => m.kind === "Deployment" && m.metadata.name.startsWith("frontend"));
        assert.ok(frontends.length > 0);
        for (const deployment of frontends) {
            assert.ok(!JSON.stringify(deployment).includes("hunter3"), `the password in ${deployment.metadata.name}`);
            const dbUrl = deployment.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === "DB_URL");
            assert.deepStrictEqual(dbUrl, { name: "DB_URL", valueFrom: { secretKeyRef: { name: "frontend-env", key: "DB_URL" } } });
        }
        assert.ok(!project.pulumi(["stack", "export", "--stack", stack]).stdout.includes("hunter3"), "the state holds the map encrypted");

        // A secret where pinstack reads the value: the preview stops naming the key, never the value.
        project.pulumi(["config", "set", "--stack", stack, "--secret", "--path", "pinstack:services.backend.readiness", password]);
        const refused = project.pulumi(["preview", "--stack", stack], { allowFailure: true });
        assert.notStrictEqual(refused.code, 0);
        assert.match(refused.stdout + refused.stderr, /pinstack:services\.backend\.readiness: a secret \(secure:\) cannot stand here/);
        assert.ok(!(refused.stdout + refused.stderr).includes("hunter3"), "the refusal quotes the secret");
    });

    it("invalid config fails `pulumi preview` with pinstack's message and renders nothing", () => {
        const config = project.stackConfig("playground");
        config["pinstack:services"].backend.port = "eighty";
        project.writeStackConfig("playground", config);
        fs.rmSync(path.join(project.dir, "out", "playground"), { recursive: true, force: true });
        const result = project.pulumi(["preview", "--stack", "playground"], { allowFailure: true });
        assert.notStrictEqual(result.code, 0);
        assert.match(result.stdout + result.stderr, /error: Pulumi\.playground\.yaml:\d+:\d+: pinstack:services\.backend\.port: must be a whole number, not the string 'eighty'\n\s+fix: /);
        assert.ok(!fs.existsSync(path.join(project.dir, "out", "playground")));
    });
});
