/**
 * What every example test runs on: a temporary copy of the pinstack program with one example's
 * project directory in it, a file backend of its own, the real Pulumi CLI, `pinstack` run as a
 * process (node bin/pinstack.js), and git.
 *
 *   <tmp>/index.ts, program/, lib/, components/, stacks/, package.json, tsconfig.json   (copied)
 *   <tmp>/node_modules -> <repo>/node_modules                                  (linked)
 *   <tmp>/examples/<name>/                  the example, copied; its own git repository,
 *                                           where every reviewed change is a commit
 *   <tmp>/state/                            the Pulumi file backend
 *
 * The example's `index.ts` is `export = require("../../index")`, so the relative layout is the
 * repository's: the same directory runs in place (`cd examples/<name> && pulumi up`) and here.
 *
 * A missing toolchain is a failure, never a skip: the examples are the acceptance test of
 * pinstack against the runbooks, and a run that did not run them must not look green.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { sealProvenance, serviceSubject } from "../../lib/provenance";
import { ensureBuilt } from "../../tests/cli/helpers";
import { pushBlob, RunningRegistry, startRegistry } from "../../tests/e2e/support/registry";
import { pulumiBinary } from "../../tests/support/toolchain";

export const repoRoot = path.resolve(__dirname, "../..");
const pulumiBin = pulumiBinary();
const envScript = path.join(repoRoot, "scripts", "env.sh");
const pinstackBin = path.join(repoRoot, "bin", "pinstack.js");
/** The program's own files; node_modules is linked, not copied. */
const programEntries = ["index.ts", "program", "lib", "components", "stacks", "policies", "scripts", "package.json", "tsconfig.json"];
/** The Pulumi CLI version the toolchain builds (scripts/setup, toolchain/pulumi-cli/go.mod). */
export const PULUMI_VERSION = "v3.259.0";

/** Result of a process run. */
export interface Run {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

let toolchainChecked = false;

/**
 * Fails (never skips) when the Pulumi toolchain is not installed: the CLI at the version
 * pinstack builds, scripts/env.sh, and the kubernetes resource plugin in the plugin cache.
 */
export function requireToolchain(): void {
    if (toolchainChecked) return;
    const fix = "run `bash scripts/setup` (it builds the Pulumi CLI, the language host and the kubernetes plugin into ~/.pulumi)";
    assert.ok(fs.existsSync(envScript), `scripts/env.sh is missing; ${fix}`);
    assert.ok(fs.existsSync(pulumiBin), `${pulumiBin} is missing; ${fix}`);
    const env = toolchainEnv({});
    const version = spawnSync(pulumiBin, ["version"], { env, encoding: "utf8" });
    assert.strictEqual(version.status, 0, `pulumi version failed: ${version.stderr}`);
    assert.strictEqual(version.stdout.trim(), PULUMI_VERSION, `pulumi is ${version.stdout.trim()}, the examples need ${PULUMI_VERSION}; ${fix}`);
    const plugins = spawnSync(pulumiBin, ["plugin", "ls", "--json"], { env, encoding: "utf8" });
    assert.strictEqual(plugins.status, 0, `pulumi plugin ls failed: ${plugins.stderr}`);
    const list = JSON.parse(plugins.stdout || "[]") as { name: string; kind: string }[];
    assert.ok(list.some((p) => p.name === "kubernetes" && p.kind === "resource"), `the kubernetes resource plugin is not in the plugin cache; ${fix}`);
    ensureBuilt();
    assert.ok(fs.existsSync(path.join(repoRoot, "dist", "cli", "main.js")), "dist/cli/main.js was not built (npx tsc -p tsconfig.json)");
    toolchainChecked = true;
}

/** The environment scripts/env.sh sets up, over `overrides` (callers' values win, as in env.sh). */
function toolchainEnv(overrides: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    const result = spawnSync("bash", ["-c", `source "${envScript}" && env -0`], { env: { ...process.env, ...overrides }, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`sourcing scripts/env.sh failed: ${result.stderr}`);
    const env: NodeJS.ProcessEnv = {};
    for (const entry of result.stdout.split("\0")) {
        const eq = entry.indexOf("=");
        if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    delete env.FORCE_COLOR;
    delete env.NO_COLOR;
    return env;
}

/** A Kubernetes object as rendered by the provider. */
export interface Manifest {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    [key: string]: any;
}

/** The manifests of one stack, keyed `Kind namespace/name`. */
export class Manifests {
    constructor(readonly byKey: ReadonlyMap<string, Manifest>) {}

    get(kind: string, namespace: string, name: string): Manifest {
        const m = this.byKey.get(`${kind} ${namespace}/${name}`);
        if (!m) assert.fail(`no ${kind} ${namespace}/${name} among:\n  ${[...this.byKey.keys()].join("\n  ")}`);
        return m;
    }

    all(kind: string): Manifest[] {
        return [...this.byKey.values()].filter((m) => m.kind === kind);
    }

    /** The image of a Deployment's first container. */
    image(namespace: string, deployment: string): string {
        return this.get("Deployment", namespace, deployment).spec.template.spec.containers[0].image;
    }

    /** The environment of a Deployment's first container, as name -> value. */
    env(namespace: string, deployment: string): Record<string, string> {
        const env = this.get("Deployment", namespace, deployment).spec.template.spec.containers[0].env ?? [];
        return Object.fromEntries(env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
    }

    /** The version.json a Deployment's pods serve (Merino's `__version__`), parsed. */
    versionJson(namespace: string, deployment: string): { service: string; version: string; commit: string; image: string; promotedFrom: string } {
        const pod = this.get("Deployment", namespace, deployment).spec.template.spec;
        const volume = (pod.volumes ?? []).find((v: any) => v.configMap && /-version-/.test(v.configMap.name));
        if (!volume) assert.fail(`Deployment ${namespace}/${deployment} mounts no version ConfigMap`);
        return JSON.parse(this.get("ConfigMap", namespace, volume.configMap.name).data["version.json"]);
    }
}

/** A temporary copy of the program with one example in it. */
export class ExampleProject {
    /** The temporary root (the repository's layout). */
    readonly root: string;
    /** The example's project directory: Pulumi.yaml, Pulumi.<stack>.yaml, its git repository. */
    readonly dir: string;
    readonly env: NodeJS.ProcessEnv;

    /**
     * Copies the program and `examples/<name>` (without its test and any rendered output),
     * initialises the stacks on a fresh file backend, and commits the result as the first
     * commit of the example's repository.
     */
    /** The registry the copy's images live in, when the example has one. */
    private registry?: RunningRegistry;
    private readonly registryHost?: string;

    /**
     * `registryHost`: the registry the example's images name (containers.ligo.org, ...). The
     * copy moves them to a real registry the test starts on 127.0.0.1 (Debian's docker-registry),
     * so `pinstack promote` resolves and checks digests over HTTP as it does in production.
     * Use create() to get one: starting the registry is asynchronous.
     */
    private constructor(readonly name: string, options: { stacks: readonly string[]; registryHost?: string }) {
        requireToolchain();
        this.registryHost = options.registryHost;
        this.root = fs.mkdtempSync(path.join(os.tmpdir(), `pinstack-example-${name}-`));
        for (const entry of programEntries.filter((e) => fs.existsSync(path.join(repoRoot, e)))) fs.cpSync(path.join(repoRoot, entry), path.join(this.root, entry), { recursive: true });
        fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(this.root, "node_modules"), "dir");
        this.dir = path.join(this.root, "examples", name);
        fs.cpSync(path.join(repoRoot, "examples", name), this.dir, {
            recursive: true,
            filter: (src) => !/\.test\.ts$/.test(src) && path.basename(src) !== "out",
        });
        const state = path.join(this.root, "state");
        fs.mkdirSync(state);
        this.env = toolchainEnv({
            PULUMI_BACKEND_URL: `file://${state}`,
            // Type checking is `npm run typecheck`'s job; here it would only cost seconds per run.
            PULUMI_NODEJS_TRANSPILE_ONLY: "true",
            GIT_AUTHOR_NAME: "Release Manager",
            GIT_AUTHOR_EMAIL: "release-manager@example.org",
            GIT_COMMITTER_NAME: "Release Manager",
            GIT_COMMITTER_EMAIL: "release-manager@example.org",
            GIT_CONFIG_GLOBAL: "/dev/null",
            GIT_CONFIG_NOSYSTEM: "1",
            USER: "release-manager",
        });
    }

    /** Copies the example, starts its registry (publishing every build its stack files pin), inits the stacks, commits. */
    static async create(name: string, options: { stacks: readonly string[]; registryHost?: string }): Promise<ExampleProject> {
        const project = new ExampleProject(name, options);
        try {
            if (options.registryHost) await project.moveToLocalRegistry(options.registryHost);
            project.git(["init", "--quiet", "--initial-branch=main"]);
            for (const stack of options.stacks) project.pulumi(["stack", "init", stack, "--secrets-provider", "passphrase"]);
            project.commit("Initial configuration", ["."]);
        } catch (err) {
            await project.remove();
            throw err;
        }
        return project;
    }

    /**
     * Starts the registry and rewrites `<host>/` to `127.0.0.1:<port>/` in the copy's stack
     * files. A provenance seal binds the image name, so the seals of pins that carry one are
     * recomputed for the new name (the committed seals are checked by `pinstack check` on the
     * example in place). Every build the files pin is published; a committed digest that is not
     * the build's digest fails here.
     */
    private async moveToLocalRegistry(host: string): Promise<void> {
        const registry = await startRegistry();
        this.registry = registry;
        // Policy pack configs name registries too (registry-allowed).
        const policyDir = path.join(this.dir, "policies");
        for (const file of fs.existsSync(policyDir) ? fs.readdirSync(policyDir).filter((f) => f.endsWith(".json")) : []) {
            const name = path.join("policies", file);
            this.write(name, this.read(name).split(`${host}/`).join(`${registry.host}/`));
        }
        const files = fs.readdirSync(this.dir).filter((f) => /^Pulumi\..+\.yaml$/.test(f) && f !== "Pulumi.yaml");
        const published = new Set<string>();
        for (const file of files) {
            const doc: YAML.Document = YAML.parseDocument(this.read(file).split(`${host}/`).join(`${registry.host}/`));
            const services: Record<string, any> = (doc.getIn(["config", "pinstack:services"]) as YAML.YAMLMap | undefined)?.toJSON() ?? {};
            for (const [service, pin] of Object.entries<any>(services)) {
                for (const tagged of [pin, pin.previous].filter((p) => p?.tag)) {
                    const key = `${pin.image}:${tagged.tag}`;
                    if (!published.has(key)) {
                        const digest: string = await this.publish(pin.image, tagged.tag);
                        published.add(key);
                        if (tagged.digest && tagged.digest !== digest) assert.fail(`${file}: ${service} pins ${key}@${tagged.digest}, but that build's digest is ${digest}`);
                    }
                }
                if (pin.provenance) {
                    const { seal: _seal, ...unsealed } = pin.provenance;
                    const sealed = sealProvenance(serviceSubject({ name: service, image: pin.image, tag: pin.tag, digest: pin.digest, initContainers: pin.initContainers, sidecars: pin.sidecars }), unsealed);
                    doc.setIn(["config", "pinstack:services", service, "provenance", "seal"], sealed.seal);
                }
            }
            this.write(file, doc.toString());
        }
    }

    /** The copy's name for an image of the example (its registry host replaced by the local one). */
    image(name: string): string {
        if (!this.registryHost || !this.registry) return name;
        return name.startsWith(`${this.registryHost}/`) ? `${this.registry.host}/${name.slice(this.registryHost.length + 1)}` : name;
    }

    /** Publishes a build of `image:tag` to the local registry (what CI's build job does); returns its digest. */
    async publish(image: string, tag: string): Promise<string> {
        const registry = this.registry;
        if (!registry) throw new Error(`${this.name} has no registry`);
        assert.ok(image.startsWith(`${registry.host}/`), `${image} is not in the local registry ${registry.host}`);
        const repository = image.slice(registry.host.length + 1);
        const build = buildImage(repository, tag);
        await pushBlob(registry, repository, build.layer, OCI_LAYER);
        await pushBlob(registry, repository, build.config, OCI_CONFIG);
        const res = await fetch(`http://${registry.host}/v2/${repository}/manifests/${tag}`, { method: "PUT", headers: { "Content-Type": OCI_MANIFEST }, body: build.manifest });
        if (!res.ok) assert.fail(`publishing ${image}:${tag}: HTTP ${res.status} ${await res.text()}`);
        assert.strictEqual(res.headers.get("docker-content-digest"), build.digest);
        return build.digest;
    }

    /** Runs the Pulumi CLI in the example directory; fails the test on a non-zero exit unless allowed. */
    pulumi(args: readonly string[], options: { allowFailure?: boolean } = {}): Run {
        const result = spawnSync(pulumiBin, [...args, "--non-interactive", "--cwd", this.dir], {
            env: this.env,
            encoding: "utf8",
            timeout: 300_000,
            maxBuffer: 64 * 1024 * 1024,
        });
        if (result.error) throw result.error;
        const run = { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
        if (run.code !== 0 && !options.allowFailure) assert.fail(`pulumi ${args.join(" ")} exited ${run.code}\n${run.stdout}\n${run.stderr}`);
        return run;
    }

    /** `pulumi up` without a preview, with a message (what CI or the engineer would write). */
    up(stack: string, message: string, extraArgs: readonly string[] = [], options: { allowFailure?: boolean } = {}): Run {
        return this.pulumi(["up", "--stack", stack, "--yes", "--skip-preview", "--message", message, ...extraArgs], options);
    }

    /** `pulumi stack output --json`. */
    outputs(stack: string): Record<string, any> {
        return JSON.parse(this.pulumi(["stack", "output", "--stack", stack, "--json", "--show-secrets=false"]).stdout);
    }

    /** `pulumi stack history --json`, newest first. */
    stackHistory(stack: string): { version: number; result: string; message: string; kind: string }[] {
        return JSON.parse(this.pulumi(["stack", "history", "--stack", stack, "--json", "--show-secrets=false"]).stdout);
    }

    /** Runs `node bin/pinstack.js -C <example dir> ...args` (a process, as users run it). */
    pinstack(args: readonly string[], options: { cwd?: string; input?: string } = {}): Run {
        const result = spawnSync(process.execPath, [pinstackBin, "-C", this.dir, ...args], {
            cwd: options.cwd ?? this.dir,
            env: this.env,
            input: options.input,
            encoding: "utf8",
            timeout: 120_000,
        });
        if (result.error) throw result.error;
        return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
    }

    /** Runs pinstack and fails the test unless it exits with `code`. */
    expectPinstack(code: number, args: readonly string[], options: { cwd?: string } = {}): Run {
        const run = this.pinstack(args, options);
        if (run.code !== code) assert.fail(`pinstack ${args.join(" ")} exited ${run.code}, expected ${code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`);
        return run;
    }

    /** Runs git in `cwd` (default: the example's repository) and returns stdout; fails the test on error. */
    git(args: readonly string[], cwd: string = this.dir): string {
        const result = spawnSync("git", [...args], { cwd, env: this.env, encoding: "utf8" });
        if (result.status !== 0) assert.fail(`git ${args.join(" ")} in ${cwd} exited ${result.status}: ${result.stderr}`);
        return result.stdout;
    }

    /** Commits `paths` (default: every change) with `message`; returns the new commit. */
    commit(message: string, paths: readonly string[] = ["."]): string {
        this.git(["add", "--", ...paths]);
        this.git(["commit", "--quiet", "--allow-empty", "-m", message]);
        return this.git(["rev-parse", "HEAD"]).trim();
    }

    file(name: string): string {
        return path.join(this.dir, name);
    }

    read(name: string): string {
        return fs.readFileSync(this.file(name), "utf8");
    }

    write(name: string, text: string): void {
        fs.mkdirSync(path.dirname(this.file(name)), { recursive: true });
        fs.writeFileSync(this.file(name), text);
    }

    /** The `config:` map of a stack file, parsed. */
    stackConfig(stack: string): Record<string, any> {
        return YAML.parse(this.read(`Pulumi.${stack}.yaml`)).config;
    }

    /**
     * Edits a stack file the way a person does in a pull request: through the yaml Document
     * API, so comments and ordering stay. `edit` gets the document's `config` map.
     */
    editStack(stack: string, edit: (config: YAML.YAMLMap, doc: YAML.Document) => void): void {
        const file = `Pulumi.${stack}.yaml`;
        const doc = YAML.parseDocument(this.read(file));
        edit(doc.get("config") as YAML.YAMLMap, doc);
        this.write(file, doc.toString());
    }

    /** Sets one value in a stack file: `setIn(stack, ["pinstack:services", "web", "tag"], "1.2.3")`. */
    setIn(stack: string, keyPath: readonly (string | number)[], value: unknown): void {
        this.editStack(stack, (config) => config.setIn(keyPath, value));
    }

    /** Every manifest rendered for `stack` (under `pinstack:renderDir`, out/<stack> in the examples). */
    manifests(stack: string): Manifests {
        const out = new Map<string, Manifest>();
        const base = path.join(this.dir, "out", stack);
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
        assert.ok(fs.existsSync(base), `nothing was rendered to ${base}`);
        walk(base);
        return new Manifests(out);
    }

    /** A fresh git repository next to the example (an application's own repository). */
    gitRepository(name: string): string {
        const dir = path.join(this.root, "repos", name);
        fs.mkdirSync(dir, { recursive: true });
        this.git(["init", "--quiet", "--initial-branch=main"], dir);
        return dir;
    }

    async remove(): Promise<void> {
        await this.registry?.stop();
        fs.rmSync(this.root, { recursive: true, force: true });
    }
}

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
const OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";

function sha256(data: Buffer): string {
    return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

/**
 * The image a build of `repository:tag` publishes: one layer and a config, both derived from
 * the repository path and the tag alone, so its digest is the same whatever registry holds it
 * and the committed stack files can carry it.
 */
function buildImage(repository: string, tag: string): { layer: Buffer; config: Buffer; manifest: Buffer; digest: string } {
    const layer = Buffer.from(`build of ${repository}:${tag}\n`);
    const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", config: { Labels: { "org.opencontainers.image.version": tag } }, rootfs: { type: "layers", diff_ids: [sha256(layer)] } }));
    const manifest = Buffer.from(
        JSON.stringify({
            schemaVersion: 2,
            mediaType: OCI_MANIFEST,
            config: { mediaType: OCI_CONFIG, digest: sha256(config), size: config.length },
            layers: [{ mediaType: OCI_LAYER, digest: sha256(layer), size: layer.length }],
        }),
    );
    return { layer, config, manifest, digest: sha256(manifest) };
}

/** The repository path of an image name (what follows the registry host). */
function repositoryPath(image: string): string {
    const slash = image.indexOf("/");
    const first = image.slice(0, slash);
    return slash > 0 && /[.:]|^localhost$/.test(first) ? image.slice(slash + 1) : image;
}

/**
 * The digest a build of `image:tag` has (see buildImage): what CI records next to the tag when
 * it pushes, and what the registry answers when pinstack promote asks.
 */
export function buildDigest(image: string, tag: string): string {
    return buildImage(repositoryPath(image), tag).digest;
}

/** Parses `--json` output: one JSON object per line. */
export function jsonLines(stdout: string): Record<string, any>[] {
    return stdout
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as Record<string, any>);
}

/** Fails unless `run` exited non-zero and its output matches every pattern. */
export function assertRefused(run: Run, code: number, ...patterns: RegExp[]): void {
    const text = `${run.stdout}\n${run.stderr}`;
    assert.strictEqual(run.code, code, `expected exit ${code}, got ${run.code}:\n${text}`);
    for (const pattern of patterns) assert.match(text, pattern);
}
