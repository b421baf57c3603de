/**
 * `pulumi preview` of a rendered production-like stack of 200 services with the policy pack
 * (policies/, policies/config.production.json) against the same preview without it, in the
 * same run. Target (issue 6): the pack adds at most 25% (ratio <= 1.25).
 *
 * The stack is what production looks like when everything is right, so every policy does its
 * full work and none short-circuits on a refusal: calver tags with digests, provenance sealed
 * by lib/provenance as `pinstack promote` writes it, every fourth service blue-green with a
 * previous pin, every fifth with a migrations Job, a sidecar and an init container,
 * package pins. One preview with the pack is checked first (it must pass with the
 * pack listed and no violation); it doubles as the warm-up of that variant. Runs alternate
 * without / with the pack so load drifts hit both alike. CPU time of every process the preview
 * starts (pulumi, language host, program, provider, policy pack; see cgroupMeter) is the figure
 * compared, since wall time on a shared machine mostly measures the neighbours; wall is reported
 * next to it.
 *
 *   BENCH_SERVICES=200 BENCH_RUNS=5 node -r ./scripts/register-ts.js bench/policies.bench.ts
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { sealProvenance, serviceSubject, packageSubject } from "../lib/provenance";
import { cgroupMeter, loadAverage, machine, median, repoRoot, scratchDir, writeSection } from "./harness";
import { pulumiBinary } from "../tests/support/toolchain";

const pulumiBin = pulumiBinary();
const envScript = path.join(repoRoot, "scripts", "env.sh");
const packDir = path.join(repoRoot, "policies");
const packConfig = path.join(packDir, "config.production.json");
const services = Number(process.env.BENCH_SERVICES ?? 200);
const runs = Number(process.env.BENCH_RUNS ?? 5);
const target = 1.25;

type Variant = "without" | "floor" | "with";
const variants: readonly Variant[] = ["without", "floor", "with"];
const floorPack = path.join(__dirname, "policy-floor");

interface Sample {
    readonly wallMs: number;
    readonly cpuMs: number;
}

function pulumiEnv(overrides: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    const result = spawnSync("bash", ["-c", `source "${envScript}" && env -0`], { env: { ...process.env, ...overrides }, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`sourcing scripts/env.sh failed: ${result.stderr}`);
    return Object.fromEntries(result.stdout.split("\0").filter((e) => e.includes("=")).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
}

const digest = (i: number, salt: string) => `sha256:${(salt + i.toString(16)).padStart(8, "0").repeat(8)}`;
const provenanceFields = { from: "staging", at: "2023-06-02T09:30:00Z", by: "rm@example.org", reason: "bench" };

/** N production services, everything the rules want, as Pulumi.bench.yaml. */
export function stackFile(n: number): string {
    const pins: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
        const name = `svc-${String(i).padStart(3, "0")}`;
        const image = `ghcr.io/pinstack-example/${name}`;
        const tag = "2023.06.1";
        const pinDigest = digest(i, "a");
        const service: Record<string, unknown> = {
            image,
            tag,
            digest: pinDigest,
            scheme: "calver",
            port: 8000,
        };
        if (i % 4 === 0) Object.assign(service, { strategy: "blue-green", activeColor: "green", previous: { tag: "2023.05.1", digest: digest(i, "b") } });
        if (i % 5 === 0) service.migrations = { command: ["python", "manage.py", "migrate"] };
        if (i % 5 === 0) {
            service.initContainers = [{ name: "wait-for-db", image: "ghcr.io/pinstack-example/wait", tag: "1.2.0", digest: digest(i, "c") }];
            service.sidecars = [{ name: "proxy", image: "ghcr.io/pinstack-example/proxy", tag: "2.4.1", digest: digest(i, "d") }];
        }
        // Sealed last: the seal covers the init containers and sidecars too.
        service.provenance = sealProvenance(serviceSubject({ name, image, tag, digest: pinDigest, initContainers: service.initContainers as never, sidecars: service.sidecars as never }), provenanceFields);
        pins[name] = service;
    }
    const packages: Record<string, unknown> = {};
    for (const [name, version] of [["ukrdc-services", "10.8.5"], ["ukrdc-fastapi", "4.1.0"]]) {
        packages[name] = { version, channel: "release", provenance: sealProvenance(packageSubject({ name, version }), provenanceFields) };
    }
    return YAML.stringify({
        config: {
            "pinstack:environment": "production",
            "pinstack:namespace": "bench",
            "pinstack:cloud": false,
            "pinstack:preset": { resolveDigests: false },
            "pinstack:renderDir": "out/bench",
            "pinstack:services": pins,
            "pinstack:packages": packages,
        },
    }, { defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "PLAIN" });
}


function project(n: number): { dir: string; env: NodeJS.ProcessEnv } {
    const dir = scratchDir(`policies-${n}`);
    const stackYaml = stackFile(n);
    for (const entry of ["Pulumi.yaml", "package.json", "tsconfig.json", "index.ts", "program", "components", "lib", "stacks", "scripts"]) {
        if (fs.existsSync(path.join(repoRoot, entry))) fs.cpSync(path.join(repoRoot, entry), path.join(dir, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
    fs.writeFileSync(path.join(dir, "Pulumi.bench.yaml"), stackYaml);
    fs.mkdirSync(path.join(dir, ".state"));
    const env = pulumiEnv({ PULUMI_BACKEND_URL: `file://${path.join(dir, ".state")}` });
    const init = spawnSync(pulumiBin, ["stack", "init", "bench", "--secrets-provider", "passphrase", "--cwd", dir, "--non-interactive"], { env, encoding: "utf8" });
    if (init.status !== 0) throw new Error(`stack init: ${init.stdout}${init.stderr}`);
    return { dir, env };
}

const packArgs = (variant: Variant) =>
    variant === "with" ? `--policy-pack "${packDir}" --policy-pack-config "${packConfig}"` : variant === "floor" ? `--policy-pack "${floorPack}"` : "";

let meterKind = "bash `times` (undercounts: plugins the CLI does not wait for are missed)";

/** One preview: wall time, CPU time of every process it started, its output. */
function preview(env: NodeJS.ProcessEnv, dir: string, variant: Variant, index: number): Sample & { out: string } {
    const meter = cgroupMeter(`pinstack-bench-policies-${process.pid}-${index}`);
    if (meter) meterKind = meter.kind;
    const start = process.hrtime.bigint();
    const script = `${meter?.enter ?? ""} "${pulumiBin}" preview --stack bench --cwd "${dir}" --non-interactive --color never ${packArgs(variant)} > "${dir}/preview.out" 2>&1 || { cat "${dir}/preview.out"; exit 1; }; times`;
    const result = spawnSync("bash", ["-c", script], { env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024, timeout: 3_600_000 });
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    try {
        if (result.status !== 0) throw new Error(`preview ${variant} the pack failed (${result.status ?? result.signal}):\n${result.stdout.slice(-5000)}`);
        let cpuMs: number;
        if (meter) cpuMs = meter.read();
        else {
            const children = result.stdout.trim().split("\n").pop() ?? "";
            const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
            if (seconds.length !== 2) throw new Error(`cannot read CPU time from: ${result.stdout}`);
            cpuMs = (seconds[0] + seconds[1]) * 1000;
        }
        return { wallMs, cpuMs, out: fs.readFileSync(path.join(dir, "preview.out"), "utf8") };
    } finally {
        meter?.remove();
    }
}

function main(): void {
    if (!fs.existsSync(pulumiBin) || !fs.existsSync(envScript)) {
        console.log(`policies: skipped, needs ${pulumiBin} and scripts/env.sh (scripts/setup)`);
        return;
    }
    const loads = [loadAverage()];
    const { dir, env } = project(services);
    try {
        // Correctness first: the pack ran, and passed this stack with no violation. Doubles as warm-up.
        let index = 0;
        const checked = preview(env, dir, "with", index++);
        if (!/pinstack@v\d+\.\d+\.\d+/.test(checked.out) || /\[(mandatory|advisory)\]/.test(checked.out)) {
            throw new Error(`the pack did not run cleanly on the bench stack:\n${checked.out.slice(-5000)}`);
        }
        const resources = /\+ (\d+) to create/.exec(checked.out)?.[1] ?? "?";
        preview(env, dir, "without", index++);
        preview(env, dir, "floor", index++);
        const samples: Record<Variant, Sample[]> = { without: [], floor: [], with: [] };
        for (let i = 0; i < runs; i++) {
            // Rotate the order so load drifts hit every variant alike.
            for (const v of variants.map((_, k) => variants[(k + i) % variants.length])) {
                const { wallMs, cpuMs } = preview(env, dir, v, index++);
                samples[v].push({ wallMs, cpuMs });
                console.log(`${v} the pack: wall ${(wallMs / 1000).toFixed(1)} s, CPU ${(cpuMs / 1000).toFixed(1)} s`);
            }
            loads.push(loadAverage());
        }
        const med = (v: Variant, key: keyof Sample) => median(samples[v].map((s) => s[key]));
        const cpuRatio = med("with", "cpuMs") / med("without", "cpuMs");
        const wallRatio = med("with", "wallMs") / med("without", "wallMs");
        const floorRatio = med("floor", "cpuMs") / med("without", "cpuMs");
        const overFloor = med("with", "cpuMs") / med("floor", "cpuMs");
        const cell = (v: Variant) => `${(med(v, "wallMs") / 1000).toFixed(1)} s / ${(med(v, "cpuMs") / 1000).toFixed(1)} s`;
        const all = (v: Variant) => samples[v].map((s) => `${(s.cpuMs / 1000).toFixed(1)}`).join(", ");
        writeSection("policies", `
## pulumi preview: with the policy pack vs without

${machine()}; pulumi ${spawnSync(pulumiBin, ["version"], { encoding: "utf8" }).stdout.trim()}, the render-only Kubernetes provider.
\`pulumi preview\` of a new production-like stack of ${services} services rendering to a directory (${resources} resources to
create: Deployments — a quarter blue-green pairs —, migrations Jobs, Services, version ConfigMaps, the requirements
ConfigMap; a fifth of the services with an init container and a sidecar), every pin with its digest and sealed provenance,
so every policy does its whole check and passes (checked before timing). **with**: \`--policy-pack policies
--policy-pack-config policies/config.production.json\` (14 policies, all mandatory or advisory); **floor**: \`--policy-pack bench/policy-floor\`. Median of ${runs} runs each,
alternating, after one warm-up each; wall / CPU of every process the preview started (CPU measured with ${meterKind}).
Load average (1 min) during the run: ${loads.join(" → ")}.

| variant | wall / CPU | CPU runs (s) |
|---|---|---|
| without a pack | ${cell("without")} | ${all("without")} |
| a no-op pack (bench/policy-floor: one policy that checks nothing) | ${cell("floor")} | ${all("floor")} |
| with pinstack's pack | ${cell("with")} | ${all("with")} |

- pinstack's pack against no pack: **${cpuRatio.toFixed(2)}× CPU**, ${wallRatio.toFixed(2)}× wall.
- a no-op pack against no pack: ${floorRatio.toFixed(2)}× CPU — what any CrossGuard pack costs here: its start-up, a Remediate
  and an Analyze call per resource through the language host's policy proxy, the stack analysis.
- pinstack's pack against the no-op pack: ${overFloor.toFixed(2)}× CPU — what pinstack's 14 policies themselves add.

Target: the pack adds at most 25% (≤ ${target.toFixed(2)}×, CPU) — ${cpuRatio <= target ? "**met**" : `**NOT met**${floorRatio > target ? " (a pack that checks nothing is already over it)" : ""}`}.
The ratios are against the program's own preview: when that gets cheaper (scripts/quiet-sdk-trace.js, see the
components section) the same pack costs a larger ratio, so compare the CPU of "with" minus "without" across runs too
(this run, medians: ${((med("with", "cpuMs") - med("without", "cpuMs")) / 1000).toFixed(1)} s).
`);
        console.log(`policies: ${cpuRatio.toFixed(2)}× CPU, ${wallRatio.toFixed(2)}× wall`);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

if (require.main === module) main();
