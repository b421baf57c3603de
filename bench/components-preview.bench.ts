/**
 * `pulumi preview` of a rendered stack with N services built with pinstack's components
 * (index.ts: config validation, rules, ServiceRelease, ...) against a bare program that
 * declares the same Kubernetes objects directly (bench/components/bare.ts), in the same run.
 * Target (issue 5): the components program costs at most 1.15× the bare one.
 *
 * A third variant, the bare program with each service's objects under an empty
 * ComponentResource, splits the difference: what Pulumi charges for one component per
 * service, and what pinstack's own code adds on top. Two more, bare and components with
 * PINSTACK_SDK_TRACE=1, measure what scripts/quiet-sdk-trace.js saves: the SDK's own
 * per-resource debug Log calls, which every variant above leaves out.
 *
 * All three run from temporary copies with their own file backend, on new stacks (every
 * object a create), rendering to a directory (preview writes nothing). Before timing, one
 * `pulumi preview --json` of each checks that they declare the same Kubernetes objects with
 * the same inputs; that run also counts the program's RPCs to the engine by method
 * (bench/rpc-count.js), which is most of what a component costs. Each round runs every
 * variant once, in a rotating order, and the ratio judged is the median over rounds of
 * components / bare within a round: a drift in the machine's speed between rounds (other
 * tenants) then cancels out. CPU time
 * of every process the preview started (CLI, language host, node program, provider), read
 * from a cgroup (bench/harness.ts meteredBash), is the figure compared, since wall time on a
 * shared machine mostly measures the neighbours.
 *
 *   BENCH_SIZES=10,100,300 BENCH_RUNS=9 node -r ./scripts/register-ts.js bench/components-preview.bench.ts
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { loadAverage, machine, median, meteredBash, repoRoot, scratchDir, writeSection } from "./harness";
import { pulumiBinary } from "../tests/support/toolchain";

const pulumiBin = pulumiBinary();
const envScript = path.join(repoRoot, "scripts", "env.sh");
const sizes = (process.env.BENCH_SIZES ?? "10,100,300").split(",").map(Number);
const runs = Number(process.env.BENCH_RUNS ?? 9);
const target = 1.15;

const variants = ["bare", "bare-components", "components", "bare-traced", "components-traced"] as const;
type Variant = (typeof variants)[number];
/** The program each variant runs; the -traced ones send the SDK's trace lines as the SDK alone does. */
const programOf = (v: Variant) => (v.startsWith("components") ? "components" : "bare");

interface Sample {
    readonly wallMs: number;
    readonly cpuMs: number;
}

/** The environment scripts/env.sh sets up, over `overrides`. */
function pulumiEnv(overrides: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    const result = spawnSync("bash", ["-c", `source "${envScript}" && env -0`], { env: { ...process.env, ...overrides }, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`sourcing scripts/env.sh failed: ${result.stderr}`);
    return Object.fromEntries(result.stdout.split("\0").filter((e) => e.includes("=")).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
}

/** N in-place services, pinned by tag and digest, as a playground stack rendering to out/bench. */
function stackFile(n: number): string {
    const services: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
        const name = `svc-${String(i).padStart(3, "0")}`;
        services[name] = {
            image: `ghcr.io/pinstack-example/${name}`,
            tag: "2023.06.1",
            digest: `sha256:${i.toString(16).padStart(4, "0").repeat(16)}`,
            scheme: "calver",
            port: 8000,
            readiness: { path: "/health" },
        };
    }
    return YAML.stringify({
        config: {
            "pinstack:environment": "playground",
            "pinstack:namespace": "bench",
            "pinstack:cloud": false,
            "pinstack:renderDir": "out/bench",
            "pinstack:services": services,
        },
    }, { defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "PLAIN" });
}

/**
 * A project copy for one variant. All get the project's own Pulumi.yaml and TypeScript setup
 * (scripts/register-ts.js: sucrase, cached, no type check per run) and the same stack file.
 */
function project(variant: Variant, n: number): { dir: string; env: NodeJS.ProcessEnv } {
    const dir = scratchDir(`preview-${variant}-${n}`);
    const copy = (from: string, to = from) => fs.cpSync(path.join(repoRoot, from), path.join(dir, to), { recursive: true });
    for (const entry of ["Pulumi.yaml", "package.json", "tsconfig.json", "scripts"]) copy(entry);
    if (programOf(variant) === "components") for (const entry of ["index.ts", "program", "components", "lib", "stacks"]) copy(entry);
    else copy("bench/components/bare.ts", "index.ts");
    fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
    fs.writeFileSync(path.join(dir, "Pulumi.bench.yaml"), stackFile(n));
    fs.mkdirSync(path.join(dir, ".state"));
    const env = pulumiEnv({
        PULUMI_BACKEND_URL: `file://${path.join(dir, ".state")}`,
        PINSTACK_BENCH_COMPONENTS: variant === "bare-components" ? "1" : "",
        PINSTACK_SDK_TRACE: variant.endsWith("-traced") ? "1" : "",
    });
    run(env, dir, ["stack", "init", "bench", "--secrets-provider", "passphrase"]);
    return { dir, env };
}

function run(env: NodeJS.ProcessEnv, dir: string, args: string[]): string {
    const result = spawnSync(pulumiBin, [...args, "--cwd", dir, "--non-interactive"], { env, encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
    if (result.status !== 0) throw new Error(`pulumi ${args.join(" ")} in ${dir}: exit ${result.status}\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`);
    return result.stdout;
}

let meterKind = "";

/** One timed preview: wall time, and the CPU time of every process it started (see harness meteredBash). */
function timePreview(env: NodeJS.ProcessEnv, dir: string, index: number): Sample {
    const run = meteredBash(`"${pulumiBin}" preview --stack bench --cwd "${dir}" --non-interactive >/dev/null`, env, `pinstack-bench-components-${process.pid}-${index}`);
    if (run.status !== 0) throw new Error(`preview in ${dir} failed: ${run.stderr.slice(-3000)}`);
    meterKind = run.meter;
    return { wallMs: run.wallMs, cpuMs: run.cpuMs };
}

/** Kubernetes objects a preview would create: `Kind name` -> inputs (the provider resource and components left out). */
function previewObjects(json: string): Map<string, string> {
    const steps: any[] = JSON.parse(json).steps ?? [];
    const out = new Map<string, string>();
    for (const step of steps) {
        const state = step.newState;
        if (!state?.type?.startsWith("kubernetes:") || state.type.startsWith("pulumi:providers:")) continue;
        const inputs = { ...state.inputs };
        out.set(`${state.type} ${inputs.metadata?.name}`, JSON.stringify(inputs));
    }
    return out;
}

function sameObjects(bare: Map<string, string>, other: Map<string, string>, variant: Variant, n: number): void {
    const keys = (m: Map<string, string>) => [...m.keys()].sort().join("\n");
    if (keys(bare) !== keys(other)) throw new Error(`N=${n}: bare and ${variant} declare different objects:\n${keys(bare)}\n---\n${keys(other)}`);
    for (const [key, inputs] of bare) {
        if (other.get(key) !== inputs) throw new Error(`N=${n}: ${key} differs in ${variant}:\n${inputs}\n---\n${other.get(key)}`);
    }
    if (bare.size !== 1 + 3 * n) throw new Error(`N=${n}: expected ${1 + 3 * n} objects, got ${bare.size}`);
}

/** RPCs from the program to the engine in one preview: method -> calls and request bytes (bench/rpc-count.js). */
type RpcCounts = Record<string, { calls: number; bytes: number }>;

/** `env` with bench/rpc-count.js loaded into every node process, and a reader of its counts. */
function countingRpcs(env: NodeJS.ProcessEnv): { env: NodeJS.ProcessEnv; read: () => RpcCounts; remove: () => void } {
    const dir = scratchDir("rpc-count");
    const hook = path.join(repoRoot, "bench", "rpc-count.js");
    return {
        env: { ...env, NODE_OPTIONS: `${env.NODE_OPTIONS ?? ""} --require ${hook}`.trim(), PINSTACK_RPC_COUNT_DIR: dir },
        read: () => {
            const total: RpcCounts = {};
            for (const file of fs.readdirSync(dir)) {
                for (const [method, c] of Object.entries(JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as RpcCounts)) {
                    const entry = (total[method] ??= { calls: 0, bytes: 0 });
                    entry.calls += c.calls;
                    entry.bytes += c.bytes;
                }
            }
            if (!total["ResourceMonitor.RegisterResource"]) throw new Error(`no RPCs counted in ${dir}: was bench/rpc-count.js loaded?`);
            return total;
        },
        remove: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
}

function rpcRow(n: number, variant: Variant, counts: RpcCounts): string {
    const calls = (method: string) => counts[method]?.calls ?? 0;
    const all = Object.values(counts).reduce((sum, c) => sum + c.calls, 0);
    const bytes = Object.values(counts).reduce((sum, c) => sum + c.bytes, 0);
    const log = calls("Engine.Log");
    return `| ${n} | ${variant} | ${calls("ResourceMonitor.RegisterResource")} | ${calls("ResourceMonitor.RegisterResourceOutputs")} | ${log} | ${all} (${Math.round((100 * log) / all)}% Log) | ${(bytes / 1024).toFixed(0)} KiB |`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const times = (x: number) => `${x.toFixed(2)}×`;

function main(): void {
    if (!fs.existsSync(pulumiBin) || !fs.existsSync(envScript)) {
        console.log(`components-preview: skipped, needs ${pulumiBin} and scripts/env.sh (scripts/setup)`);
        return;
    }
    const rows: string[] = [];
    const runRows: string[] = [];
    const verdicts: string[] = [];
    const ownCode: string[] = [];
    const traceRows: string[] = [];
    const rpcRows: string[] = [];
    const loads: string[] = [loadAverage()];
    for (const n of sizes) {
        const projects = Object.fromEntries(variants.map((v) => [v, project(v, n)])) as Record<Variant, ReturnType<typeof project>>;
        try {
            // Correctness first (doubles as the warm-up run of each), counting the program's RPCs.
            const rpcs = {} as Record<Variant, RpcCounts>;
            const objects = (v: Variant) => {
                const counted = countingRpcs(projects[v].env);
                try {
                    const json = run(counted.env, projects[v].dir, ["preview", "--stack", "bench", "--json"]);
                    rpcs[v] = counted.read();
                    return previewObjects(json);
                } finally {
                    counted.remove();
                }
            };
            const bare = objects("bare");
            for (const v of variants.slice(1)) sameObjects(bare, objects(v), v, n);
            rpcRows.push(...variants.map((v) => rpcRow(n, v, rpcs[v])));
            const samples = Object.fromEntries(variants.map((v) => [v, [] as Sample[]])) as Record<Variant, Sample[]>;
            let index = 0;
            for (let i = 0; i < runs; i++) {
                const order = variants.map((_, k) => variants[(k + i) % variants.length]);
                for (const v of order) samples[v].push(timePreview(projects[v].env, projects[v].dir, index++));
            }
            const med = (v: Variant, key: keyof Sample) => median(samples[v].map((s) => s[key]));
            // Per round, the variant against its base measured a few seconds apart; the median of those.
            const paired = (v: Variant, key: keyof Sample, base: Variant = "bare") => median(samples[v].map((s, i) => s[key] / samples[base][i][key]));
            const cell = (v: Variant) => `${seconds(med(v, "wallMs"))} / ${seconds(med(v, "cpuMs"))}`;
            const cpuRatio = paired("components", "cpuMs");
            rows.push(`| ${n} | ${1 + 3 * n} | ${cell("bare")} | ${cell("bare-components")} | ${cell("components")} | ${times(paired("bare-components", "cpuMs"))} | **${times(cpuRatio)}** | ${times(paired("components", "wallMs"))} |`);
            for (const v of variants) runRows.push(`| ${n} | ${v} | ${samples[v].map((s) => (s.cpuMs / 1000).toFixed(1)).join(", ")} |`);
            verdicts.push(`${n}: ${times(cpuRatio)} ${cpuRatio <= target ? "(met)" : "(**NOT met**)"}`);
            ownCode.push(`${n}: ${times(paired("components", "cpuMs", "bare-components"))}`);
            const saved = (v: Variant, traced: Variant) => `${cell(traced)} | ${cell(v)} | ${times(paired(v, "cpuMs", traced))}`;
            traceRows.push(`| ${n} | ${saved("bare", "bare-traced")} | ${saved("components", "components-traced")} | ${times(paired("components-traced", "cpuMs", "bare-traced"))} |`);
            console.log(rows[rows.length - 1]);
            loads.push(loadAverage());
        } finally {
            for (const p of Object.values(projects)) fs.rmSync(p.dir, { recursive: true, force: true });
        }
    }
    writeSection("components-preview", `
## pulumi preview: components vs a bare program

${machine()}; pulumi ${spawnSync(pulumiBin, ["version"], { encoding: "utf8" }).stdout.trim()}, the upstream Kubernetes provider 4.25.0 rendering to a directory (\`renderYamlToDirectory\`).
\`pulumi preview\` of a new rendered stack of N in-place services (per service: version ConfigMap, Deployment,
Service; plus the namespace). **bare**: bench/components/bare.ts declares those objects directly; **bare +
components**: the same program with each service's objects under an empty ComponentResource
(PINSTACK_BENCH_COMPONENTS=1) — what Pulumi charges for one component per service, with none of pinstack's code;
**components**: index.ts (config validation and rules from lib/, ServiceRelease components). Checked before
timing: all of them preview the same objects with the same inputs. All run as the project's Pulumi.yaml says
(scripts/register-ts.js: sucrase, cached, no type check per run; the SDK's per-resource trace lines kept in the
program, scripts/quiet-sdk-trace.js — the two **-traced** variants, measured beside them, send them as the SDK does). ${runs} rounds after one warm-up each; a round runs
each variant once, in a rotating order. Times: medians, wall / CPU of every process the preview started (CPU
measured with ${meterKind}). Ratios: the median over rounds of variant / bare CPU within the round, so a change in
the machine's speed between rounds cancels out. Load average (1 min) during the run: ${loads.join(" → ")}.

| services | objects | bare: wall / CPU | bare + components | components | bare + components / bare (CPU) | components / bare (CPU) | components / bare (wall) |
|---|---|---|---|---|---|---|---|
${rows.join("\n")}

Target: components at most ${target.toFixed(2)}× the bare program (CPU) — ${verdicts.join("; ")}.
On this shared machine a ratio moves by a few hundredths from one run of the benchmark to the next, more when
the load average climbs during the run: compare the CPU of every run below.
What pinstack's code adds over the empty components (components / bare + components, CPU, paired the same way):
${ownCode.join("; ")}.

<details><summary>CPU of every run, in seconds (round order)</summary>

| services | variant | CPU per run |
|---|---|---|
${runRows.join("\n")}

</details>

Where the difference goes: part of it is the component resources themselves (bare + components / bare), the rest
pinstack's own code (the ratios just above); most of what a component costs is gRPC calls from the program to the
engine. Counted in the check run (bench/rpc-count.js, one preview of each variant; -traced: PINSTACK_SDK_TRACE=1):

| services | variant | RegisterResource | RegisterResourceOutputs | Log | all calls | request bytes |
|---|---|---|---|---|---|---|
${rpcRows.join("\n")}

As the SDK alone runs it (-traced), a Kubernetes object costs the program one RegisterResource and three Log calls;
a component one RegisterResource, one RegisterResourceOutputs (the SDK sends it for every component, outputs or
none) and six Log calls. The Log calls are the SDK's own debug lines ("Registering resource", "RegisterResource RPC
prepared", "... finished"): @pulumi/pulumi's \`log.debug\` sends each one to the engine whether or not anyone asked
for debug output, through a single promise chain, and the engine files each in its automatic log, while the display
drops it without \`--debug\`. So one component cost the program as many calls as two Kubernetes objects, with none
of the provider's work. Pulumi has trimmed such calls before (pulumi/pulumi#7144 for some Node.js registration logs,
#7295 for Python); the ones left are not behind a switch in @pulumi/pulumi 3.259 or 3.270. pinstack's programs keep
them in the program (scripts/quiet-sdk-trace.js, loaded by scripts/register-ts.js; \`PINSTACK_SDK_TRACE=1\` sends
them again); the program's own log lines, debug included, still go. What that saves, same rounds, CPU:

| services | bare, traced | bare | bare / traced | components, traced | components | components / traced | components / bare, both traced |
|---|---|---|---|---|---|---|---|
${traceRows.join("\n")}

pinstack's own work is reading and validating the stack file, the rules, building the specs and the \`pins\`
output: the same RPCs as the empty components, with more request bytes (deeper stack traces, the \`image\` and
\`pins\` outputs), and more work for the garbage collector.
Two costs were taken out of every preview of the project's programs, bare and components alike
(scripts/register-ts.js): compiling TypeScript on each run (cached by content hash), and source-map-support, which
the SDK installs and which rewrote each frame of the full stack trace the SDK captures for every resource and RPC
(scripts/plain-stack-traces.js; about 0.6 s of CPU at 100 services for bare, 0.8 s for components).
Left as it is: the Pulumi CLI's automatic debug log, which every command writes to ~/.pulumi/logs (slog JSON of each
RPC, gzip- or passphrase-encrypted; Pulumi rotates it at 7 days or 500 MB) and which Pulumi v3.259 has no switch to
turn off. It costs every variant the same; with the SDK's trace lines in it, it was about 30% of the CLI's CPU.
`);
}

main();
