/**
 * Deploying to the local cluster (scripts/cluster): what `pulumi up` of pinstack's program adds
 * over the API's own cost, and how long the cluster takes to start.
 *
 * 1. Start-up: `scripts/cluster up` in a new directory (certificates, tokens and etcd made
 *    anew: a cold start), `down`, `up` again on the same data (a warm start), `down --wipe`;
 *    wall time as the script measures it, and after each `down` a check that nothing it
 *    started is still listening.
 * 2. Deploy, per size N (in-place services with a readiness probe: per service a version
 *    ConfigMap, a Deployment and a Service, plus the namespace):
 *    - **pulumi up**: `pulumi up --yes --skip-preview` of a new stack of index.ts against the
 *      cluster, the upstream provider awaiting every Deployment's rollout;
 *    - **kubectl apply**: the very objects that program renders (the same stack with
 *      `pinstack:renderDir`), `kubectl apply --server-side` then `kubectl wait` until every
 *      Deployment is Available: the same end state, with nothing but the API's work.
 *    Each run gets a namespace of its own, deleted (untimed) before the next; the two
 *    alternate, in a rotating order. Three figures per run: wall time; client CPU, every
 *    process the command started (cgroup, bench/harness.ts meteredBash); cluster CPU, what
 *    etcd, the API server, controller-manager, scheduler and kwok used meanwhile
 *    (/proc/<pid>/stat), which is the API's cost and includes the cluster's own background work.
 *
 *   BENCH_SIZES=10,100,300 BENCH_RUNS=3 node -r ./scripts/register-ts.js bench/cluster.bench.ts
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { loadAverage, machine, median, meteredBash, repoRoot, scratchDir, writeSection } from "./harness";
import { pulumiBinary } from "../tests/support/toolchain";

const pulumiBin = pulumiBinary();
const envScript = path.join(repoRoot, "scripts", "env.sh");
const clusterScript = path.join(repoRoot, "scripts", "cluster");
const kubectlBin = path.join(repoRoot, ".pinstack", "bin", "kubectl");
const sizes = (process.env.BENCH_SIZES ?? "10,100,300").split(",").map(Number);
const runs = Number(process.env.BENCH_RUNS ?? 3);
// A 300-service `pulumi up` takes minutes on 2 cores: fewer runs above 100 services.
const largeRuns = Number(process.env.BENCH_RUNS_LARGE ?? 1);
const runsFor = (n: number) => (n > 100 ? largeRuns : runs);
const starts = Number(process.env.BENCH_STARTS ?? 3);
const clusterProcesses = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"];
const renderNamespace = "bench-render";

const variants = ["pulumi", "kubectl"] as const;
type Variant = (typeof variants)[number];

interface Sample {
    readonly wallMs: number;
    readonly cpuMs: number;
    readonly clusterCpuMs: number;
}

function pulumiEnv(overrides: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    const result = spawnSync("bash", ["-c", `source "${envScript}" && env -0`], { env: { ...process.env, ...overrides }, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`sourcing scripts/env.sh failed: ${result.stderr}`);
    return Object.fromEntries(result.stdout.split("\0").filter((e) => e.includes("=")).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
}

function clusterCommand(dir: string, args: string[]): { out: string; wallMs: number } {
    const start = process.hrtime.bigint();
    const r = spawnSync("bash", [clusterScript, ...args], { env: { ...process.env, PINSTACK_CLUSTER_DIR: dir }, encoding: "utf8", timeout: 600_000 });
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(`scripts/cluster ${args.join(" ")} exited ${r.status}:\n${r.stdout}${r.stderr}`);
    return { out: `${r.stdout}${r.stderr}`, wallMs };
}

/** The ports the cluster chose (its `ports` file) and the pids it started (run/*.pid). */
function footprint(dir: string): { ports: string[]; pids: string[] } {
    return {
        ports: fs.readFileSync(path.join(dir, "ports"), "utf8").match(/\d{2,5}/g) ?? [],
        pids: clusterProcesses.map((name) => fs.readFileSync(path.join(dir, "run", `${name}.pid`), "utf8").trim()),
    };
}

/** What of a footprint outlived `down`: ports still listening, processes still running. */
function leftBehind({ ports, pids }: { ports: string[]; pids: string[] }): string[] {
    const listening = spawnSync("bash", ["-c", "cat /proc/net/tcp /proc/net/tcp6 2>/dev/null"], { encoding: "utf8" }).stdout;
    const open = new Set([...listening.matchAll(/^\s*\d+: [0-9A-F]+:([0-9A-F]{4}) [0-9A-F]+:0000 0A /gm)].map((m) => String(parseInt(m[1], 16))));
    return [...ports.filter((p) => open.has(p)).map((p) => `port ${p}`), ...pids.filter((pid) => fs.existsSync(`/proc/${pid}`)).map((pid) => `pid ${pid}`)];
}

/** CPU milliseconds the cluster's processes have used so far (utime + stime of each). */
function clusterCpuMs(dir: string): number {
    const tick = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;
    let total = 0;
    for (const name of clusterProcesses) {
        const pid = fs.readFileSync(path.join(dir, "run", `${name}.pid`), "utf8").trim();
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        total += ((Number(fields[11]) + Number(fields[12])) * 1000) / tick;
    }
    return total;
}

function services(n: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
        const name = `svc-${String(i).padStart(3, "0")}`;
        out[name] = {
            image: `ghcr.io/pinstack-example/${name}`,
            tag: "2023.06.1",
            digest: `sha256:${i.toString(16).padStart(4, "0").repeat(16)}`,
            scheme: "calver",
            port: 8000,
            readiness: { path: "/health" },
        };
    }
    return out;
}

function stackFile(n: number, target: { namespace: string; kubeconfig?: string; renderDir?: string }): string {
    return YAML.stringify({
        config: {
            "pinstack:environment": "staging",
            "pinstack:namespace": target.namespace,
            "pinstack:cloud": false,
            "pinstack:preset": { resolveDigests: false },
            ...(target.kubeconfig ? { "pinstack:kubeconfig": target.kubeconfig } : {}),
            ...(target.renderDir ? { "pinstack:renderDir": target.renderDir } : {}),
            "pinstack:services": services(n),
        },
    }, { defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "PLAIN" });
}

/** A copy of the project with its own file backend. */
function project(n: number): { dir: string; env: NodeJS.ProcessEnv } {
    const dir = scratchDir(`cluster-${n}`);
    for (const entry of ["Pulumi.yaml", "package.json", "tsconfig.json", "index.ts", "program", "components", "lib", "stacks", "scripts"]) {
        fs.cpSync(path.join(repoRoot, entry), path.join(dir, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
    fs.mkdirSync(path.join(dir, ".state"));
    return { dir, env: pulumiEnv({ PULUMI_BACKEND_URL: `file://${path.join(dir, ".state")}`, PULUMI_CONFIG_PASSPHRASE: "bench" }) };
}

function pulumi(env: NodeJS.ProcessEnv, dir: string, args: string[]): string {
    const r = spawnSync(pulumiBin, [...args, "--cwd", dir, "--non-interactive"], { env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`pulumi ${args.join(" ")}: exit ${r.status}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
    return r.stdout;
}

function kubectl(kubeconfig: string, args: string[]): string {
    const r = spawnSync(kubectlBin, ["--kubeconfig", kubeconfig, ...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 900_000 });
    if (r.status !== 0) throw new Error(`kubectl ${args.join(" ")}: exit ${r.status}\n${r.stderr}`);
    return r.stdout;
}

/** The program's objects for N services, rendered once: manifests with the namespace `bench-render`. */
function render(proj: { dir: string; env: NodeJS.ProcessEnv }, n: number): string {
    const out = path.join(proj.dir, "rendered");
    fs.writeFileSync(path.join(proj.dir, "Pulumi.render.yaml"), stackFile(n, { namespace: renderNamespace, renderDir: out }));
    pulumi(proj.env, proj.dir, ["stack", "init", "render", "--secrets-provider", "passphrase"]);
    pulumi(proj.env, proj.dir, ["up", "--stack", "render", "--yes", "--skip-preview"]);
    return out;
}

/** The rendered manifests with the namespace of one run: the Namespace object first, the rest after. */
function manifestsFor(rendered: string, namespace: string, into: string): { namespaceFile: string; objectsDir: string } {
    const objectsDir = path.join(into, "objects");
    fs.mkdirSync(objectsDir, { recursive: true });
    let namespaceFile = "";
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const file = path.join(dir, entry.name);
            if (entry.isDirectory()) walk(file);
            else if (entry.name.endsWith(".yaml")) {
                const text = fs.readFileSync(file, "utf8").split(renderNamespace).join(namespace);
                const isNamespace = /^kind: Namespace$/m.test(text);
                const target = isNamespace ? path.join(into, "namespace.yaml") : path.join(objectsDir, entry.name);
                if (isNamespace) namespaceFile = target;
                fs.writeFileSync(target, text);
            }
        }
    };
    walk(rendered);
    if (!namespaceFile) throw new Error(`no Namespace among the rendered manifests in ${rendered}`);
    return { namespaceFile, objectsDir };
}

let meterKind = "";

function timed(script: string, env: NodeJS.ProcessEnv, clusterDir: string, index: number): Sample {
    const before = clusterCpuMs(clusterDir);
    const run = meteredBash(script, env, `pinstack-bench-cluster-${process.pid}-${index}`);
    const clusterCpu = clusterCpuMs(clusterDir) - before;
    if (run.status !== 0) throw new Error(`failed (${run.status}): ${script}\n${run.stdout.slice(-3000)}${run.stderr.slice(-3000)}`);
    meterKind = run.meter;
    return { wallMs: run.wallMs, cpuMs: run.cpuMs, clusterCpuMs: clusterCpu };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Cold and warm starts of the cluster, each followed by a check that `down` left nothing listening. */
function startUp(): { cold: number[]; warm: number[]; downMs: number[]; leftListening: string[] } {
    const cold: number[] = [];
    const warm: number[] = [];
    const downMs: number[] = [];
    const leftListening: string[] = [];
    for (let i = 0; i < starts; i++) {
        const dir = scratchDir(`cluster-start-${i}`);
        try {
            cold.push(clusterCommand(dir, ["up"]).wallMs);
            let running = footprint(dir);
            downMs.push(clusterCommand(dir, ["down"]).wallMs);
            leftListening.push(...leftBehind(running));
            warm.push(clusterCommand(dir, ["up"]).wallMs);
            running = footprint(dir);
            downMs.push(clusterCommand(dir, ["down", "--wipe"]).wallMs);
            leftListening.push(...leftBehind(running));
        } finally {
            spawnSync("bash", [clusterScript, "down", "--wipe"], { env: { ...process.env, PINSTACK_CLUSTER_DIR: dir } });
            fs.rmSync(dir, { recursive: true, force: true });
        }
        console.log(`start ${i + 1}: cold ${seconds(cold[i])}, warm ${seconds(warm[i])}`);
    }
    return { cold, warm, downMs, leftListening };
}

function main(): void {
    for (const needed of [pulumiBin, kubectlBin, path.join(repoRoot, ".pinstack", "bin", "kube-apiserver")]) {
        if (!fs.existsSync(needed)) throw new Error(`cluster bench: ${needed} is missing; run bash scripts/setup --cluster`);
    }
    const loads = [loadAverage()];
    const start = startUp();
    loads.push(loadAverage());

    const clusterDir = scratchDir("cluster");
    // A run stopped by a signal (a timeout, Ctrl-C) still stops the cluster: its processes run in
    // sessions of their own and would outlive this one. (node handles the signal once the command
    // running at that moment returns.)
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
        process.once(signal, () => {
            spawnSync("bash", [clusterScript, "down", "--wipe"], { env: { ...process.env, PINSTACK_CLUSTER_DIR: clusterDir }, stdio: "inherit" });
            process.exit(128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const)[signal]);
        });
    }
    clusterCommand(clusterDir, ["up"]);
    const kubeconfig = path.join(clusterDir, "kubeconfig");
    const rows: string[] = [];
    const runRows: string[] = [];
    const report = () => {
        writeSection("cluster", `
## pulumi up on the local cluster vs kubectl apply, and the cluster's start-up

${machine()}; pulumi ${spawnSync(pulumiBin, ["version"], { encoding: "utf8" }).stdout.trim()}, the upstream Kubernetes provider 4.25.0,
kube-apiserver / controller-manager / scheduler 1.36.3, etcd 3.6.8, kwok 0.8.0 (one simulated node), all built by
\`scripts/setup --cluster\`. Load average (1 min) during the run: ${loads.join(" → ")}.

**Start-up** (\`scripts/cluster up\`, ${starts} times each, wall): cold, in a new directory (CA, certificates, tokens, etcd
created): median ${seconds(median(start.cold))} (${start.cold.map(seconds).join(", ")}); warm, \`down\` then \`up\` on the same data:
median ${seconds(median(start.warm))} (${start.warm.map(seconds).join(", ")}). \`down\`: median ${seconds(median(start.downMs))}; ports still listening or processes running after
\`down\`: ${start.leftListening.length === 0 ? "none" : start.leftListening.join(", ")}. Both include waiting until the API server is ready, the node
is registered and Ready, and kwok's stages are applied.

**Deploy** of N new in-place services with a readiness probe (per service a version ConfigMap, a Deployment and a
Service; plus the namespace). **pulumi up**: \`pulumi up --yes --skip-preview\` of a new stack of index.ts, the provider
awaiting each Deployment's rollout. **kubectl apply**: the same objects, rendered once by the same program
(\`pinstack:renderDir\`), \`kubectl apply --server-side\` then \`kubectl wait --for condition=Available\` on every
Deployment. Checked after each run: all N Deployments available. Median of ${sizes.map((n) => `${runsFor(n)} at ${n}`).join(", ")} runs, alternating, each in a
namespace of its own deleted before the next. Cells: wall / client CPU (every process the command started,
${meterKind}) / cluster CPU (etcd, API server, controller-manager, scheduler and kwok meanwhile, from /proc).

| services | objects | pulumi up | kubectl apply + wait | pulumi / kubectl (wall, paired) | pulumi / kubectl (client + cluster CPU) | client CPU per object above kubectl |
|---|---|---|---|---|---|---|
${rows.join("\n")}

<details><summary>Every run: wall / client CPU / cluster CPU, seconds</summary>

| services | variant | runs |
|---|---|---|
${runRows.join("\n")}

</details>

What the engine adds is client CPU: the program (config validation, rules, components), the engine's state and
its checkpoint file, and the provider's diff and await per object, each over gRPC. kubectl's server-side apply
hands each object to the API server as it is. The cluster's own cost (admission, etcd, the controllers that make
ReplicaSets and Pods, kwok making them Ready) is about the same for both: the same objects reach the same API.
    `);
    };
    try {
        for (const n of sizes) {
            const proj = project(n);
            try {
                const rendered = render(proj, n);
                const samples: Record<Variant, Sample[]> = { pulumi: [], kubectl: [] };
                let index = 0;
                for (let r = 0; r < runsFor(n); r++) {
                    for (const v of r % 2 === 0 ? variants : [...variants].reverse()) {
                        const namespace = `bench-${v}-${n}-${r}`;
                        let sample: Sample;
                        if (v === "pulumi") {
                            const stack = `deploy-${r}`;
                            fs.writeFileSync(path.join(proj.dir, `Pulumi.${stack}.yaml`), stackFile(n, { namespace, kubeconfig }));
                            pulumi(proj.env, proj.dir, ["stack", "init", stack, "--secrets-provider", "passphrase"]);
                            sample = timed(`"${pulumiBin}" up --stack ${stack} --cwd "${proj.dir}" --non-interactive --yes --skip-preview >/dev/null`, proj.env, clusterDir, index++);
                        } else {
                            const m = manifestsFor(rendered, namespace, path.join(proj.dir, namespace));
                            const k = `"${kubectlBin}" --kubeconfig "${kubeconfig}"`;
                            sample = timed(
                                `${k} apply --server-side -f "${m.namespaceFile}" >/dev/null && ${k} apply --server-side -f "${m.objectsDir}" >/dev/null && ${k} wait --namespace ${namespace} --for condition=Available deployment --all --timeout 600s >/dev/null`,
                                proj.env, clusterDir, index++,
                            );
                        }
                        // The end state both must reach: every Deployment available.
                        const deployments = JSON.parse(kubectl(kubeconfig, ["get", "deployments", "--namespace", namespace, "-o", "json"])).items as any[];
                        const available = deployments.filter((d) => d.status?.conditions?.some((c: any) => c.type === "Available" && c.status === "True")).length;
                        if (deployments.length !== n || available !== n) throw new Error(`${v} N=${n}: ${available} of ${deployments.length} Deployments available, expected ${n}`);
                        samples[v].push(sample);
                        console.log(`${v} N=${n} run ${r + 1}: wall ${seconds(sample.wallMs)}, client CPU ${seconds(sample.cpuMs)}, cluster CPU ${seconds(sample.clusterCpuMs)}`);
                        kubectl(kubeconfig, ["delete", "namespace", namespace, "--wait=true", "--timeout=600s"]);
                    }
                    loads.push(loadAverage());
                }
                const med = (v: Variant, key: keyof Sample) => median(samples[v].map((s) => s[key]));
                const paired = (key: keyof Sample) => median(samples.pulumi.map((s, i) => s[key] / samples.kubectl[i][key]));
                const total = (v: Variant) => med(v, "cpuMs") + med(v, "clusterCpuMs");
                rows.push(`| ${n} | ${1 + 3 * n} | ${seconds(med("pulumi", "wallMs"))} / ${seconds(med("pulumi", "cpuMs"))} / ${seconds(med("pulumi", "clusterCpuMs"))} | ${seconds(med("kubectl", "wallMs"))} / ${seconds(med("kubectl", "cpuMs"))} / ${seconds(med("kubectl", "clusterCpuMs"))} | **${paired("wallMs").toFixed(2)}×** | ${(total("pulumi") / total("kubectl")).toFixed(2)}× | ${(((med("pulumi", "cpuMs") - med("kubectl", "cpuMs")) / (1 + 3 * n))).toFixed(1)} ms |`);
                for (const v of variants) runRows.push(`| ${n} | ${v} | ${samples[v].map((s) => `${(s.wallMs / 1000).toFixed(1)} / ${(s.cpuMs / 1000).toFixed(1)} / ${(s.clusterCpuMs / 1000).toFixed(1)}`).join(", ")} |`);
            } finally {
                fs.rmSync(proj.dir, { recursive: true, force: true });
            }
            // Written after each size, so a long run that is stopped keeps what it measured.
            report();
        }
    } finally {
        clusterCommand(clusterDir, ["down", "--wipe"]);
        fs.rmSync(clusterDir, { recursive: true, force: true });
    }
}

if (require.main === module) main();
