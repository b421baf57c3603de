/**
 * `pulumi preview` of a rendered production-like stack of 50 / 200 / 600 services with the
 * policy pack (policies/, policies/config.production.json), with a pack that checks nothing
 * (bench/policy-floor) and without a pack, in the same run. Targets at 200 services, CPU: the
 * no-op pack at most 1.10× no pack, pinstack's pack at most 1.25×; growth linear to 600.
 *
 * The stack is what production looks like when everything is right, so every policy does its
 * full work and none short-circuits on a refusal: calver tags with digests, provenance sealed
 * by lib/provenance as `pinstack promote` writes it, every fourth service blue-green with a
 * previous pin, every fifth with a migrations Job, a sidecar and an init container,
 * package pins. One preview with the pack is checked first (it must pass with the
 * pack listed and no violation); it doubles as the warm-up of that variant. Rounds run every
 * variant once in a rotating order so load drifts hit all alike. CPU time of every process the preview
 * starts (pulumi, language host, program, provider, policy pack; see cgroupMeter) is the figure
 * compared, since wall time on a shared machine mostly measures the neighbours; wall is reported
 * next to it.
 *
 *   BENCH_SIZES=50,200,600 BENCH_RUNS=5 node -r ./scripts/register-ts.js bench/policies.bench.ts
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
const sizes = (process.env.BENCH_SIZES ?? "50,200,600").split(",").map(Number);
const runs = Number(process.env.BENCH_RUNS ?? 5);
const target = 1.25;
const floorTarget = 1.10;

export type Variant = "without" | "floor" | "with";
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


export function project(n: number): { dir: string; env: NodeJS.ProcessEnv } {
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

export const packArgs = (variant: Variant) =>
    variant === "with" ? `--policy-pack "${packDir}" --policy-pack-config "${packConfig}"` : variant === "floor" ? `--policy-pack "${floorPack}"` : "";

/** What a failed preview said: its policy violations and diagnostics, not the tail of its outputs. */
function failureText(out: string): string {
    const sections = out.split(/^(?=\S)/m).filter((section) => /^(Policies|Policy Violations|Diagnostics):/.test(section));
    return (sections.length > 0 ? sections.join("") : out).slice(0, 5000);
}

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
        if (result.status !== 0) throw new Error(`preview ${variant} the pack failed (${result.status ?? result.signal}):\n${failureText(result.stdout)}`);
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

interface SizeResult {
    readonly services: number;
    readonly resources: number;
    readonly samples: Record<Variant, Sample[]>;
}

/** Every variant at one size: the correctness check (doubles as the warm-up), then rotating rounds. */
function measure(n: number, rounds: number, loads: string[]): SizeResult {
    const { dir, env } = project(n);
    try {
        let index = 0;
        const checked = preview(env, dir, "with", index++);
        if (!/pinstack@v\d+\.\d+\.\d+/.test(checked.out) || /\[(mandatory|advisory)\]/.test(checked.out)) {
            throw new Error(`the pack did not run cleanly on the bench stack:\n${checked.out.slice(-5000)}`);
        }
        const resources = Number(/\+ (\d+) to create/.exec(checked.out)?.[1] ?? NaN);
        preview(env, dir, "without", index++);
        preview(env, dir, "floor", index++);
        const samples: Record<Variant, Sample[]> = { without: [], floor: [], with: [] };
        for (let i = 0; i < rounds; i++) {
            // Rotate the order so load drifts hit every variant alike.
            for (const v of variants.map((_, k) => variants[(k + i) % variants.length])) {
                const { wallMs, cpuMs } = preview(env, dir, v, index++);
                samples[v].push({ wallMs, cpuMs });
                console.log(`N=${n} ${v} the pack: wall ${(wallMs / 1000).toFixed(1)} s, CPU ${(cpuMs / 1000).toFixed(1)} s`);
            }
            loads.push(loadAverage());
        }
        return { services: n, resources, samples };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

function main(): void {
    if (!fs.existsSync(pulumiBin) || !fs.existsSync(envScript)) throw new Error(`policies: needs ${pulumiBin} and scripts/env.sh (bash scripts/setup)`);
    const loads = [loadAverage()];
    const results = sizes.map((n) => measure(n, n > 200 ? Math.max(3, runs - 2) : runs, loads));
    const med = (r: SizeResult, v: Variant, key: keyof Sample) => median(r.samples[v].map((s) => s[key]));
    // Per round, the variant against no pack measured seconds apart; the median of those (drift between rounds cancels).
    const paired = (r: SizeResult, v: Variant, base: Variant = "without") => median(r.samples[v].map((s, i) => s.cpuMs / r.samples[base][i].cpuMs));
    const sec = (msValue: number) => `${(msValue / 1000).toFixed(1)} s`;
    const cell = (r: SizeResult, v: Variant) => `${sec(med(r, v, "wallMs"))} / ${sec(med(r, v, "cpuMs"))}`;
    const rows = results.map((r) => `| ${r.services} | ${r.resources} | ${cell(r, "without")} | ${cell(r, "floor")} | ${cell(r, "with")} | ${paired(r, "floor").toFixed(2)}× | **${paired(r, "with").toFixed(2)}×** | ${paired(r, "with", "floor").toFixed(2)}× |`);
    const perResource = (v: Variant) => results.map((r) => `${((med(r, v, "cpuMs") - med(r, "without", "cpuMs")) / r.resources).toFixed(2)} ms at ${r.services}`).join(", ");
    const runRows = results.flatMap((r) => variants.map((v) => `| ${r.services} | ${v} | ${r.samples[v].map((s) => (s.cpuMs / 1000).toFixed(1)).join(", ")} |`));
    const at200 = results.find((r) => r.services === 200);
    const verdict = (v: Variant, target: number) => {
        if (!at200) return "not measured (no 200-service run)";
        const x = paired(at200, v);
        return `${x.toFixed(2)}× — ${x <= target ? "**met**" : "**NOT met**"}`;
    };
    // Growth: the pack's extra CPU per resource should stay flat from the smallest to the largest size.
    const growth = (v: Variant) => {
        const first = results[0];
        const last = results[results.length - 1];
        const per = (r: SizeResult) => (med(r, v, "cpuMs") - med(r, "without", "cpuMs")) / r.resources;
        return first === last ? "" : `${(per(last) / per(first)).toFixed(2)}× the per-resource cost of ${first.services} at ${last.services}`;
    };
    writeSection("policies", `
## pulumi preview: with the policy pack vs without

${machine()}; pulumi ${spawnSync(pulumiBin, ["version"], { encoding: "utf8" }).stdout.trim()}, the upstream Kubernetes provider 4.25.0 rendering to a directory (\`renderYamlToDirectory\`).
\`pulumi preview\` of a new production-like stack of N services rendering to a directory (per service a version ConfigMap,
a Deployment and a Service; a quarter blue-green pairs, a fifth with a migrations Job, an init container and a sidecar; plus
the namespace and the requirements ConfigMap), every pin with its digest and sealed provenance, so every policy does its
whole check and passes (checked before timing). **no pack**; **no-op pack**: \`--policy-pack bench/policy-floor\` (one policy
that checks nothing: what any CrossGuard pack costs, its start-up, a Remediate and an Analyze call per resource, the stack
analysis); **pinstack's pack**: \`--policy-pack policies --policy-pack-config policies/config.production.json\` (14 policies).
Rounds run every variant once in a rotating order, after one warm-up each (${runs} rounds up to 200 services, fewer above);
cells are medians, wall / CPU of every process the preview started (${meterKind}); ratios are the median over rounds of
variant / no pack CPU within the round. Load average (1 min) during the run: ${loads.join(" → ")}.

| services | resources | no pack | no-op pack | pinstack's pack | no-op / none (CPU) | pinstack's / none (CPU) | pinstack's / no-op (CPU) |
|---|---|---|---|---|---|---|---|
${rows.join("\n")}

Targets at 200 services (CPU): a no-op pack ≤ 1.10× — ${verdict("floor", floorTarget)}; pinstack's pack ≤ ${target.toFixed(2)}× — ${verdict("with", target)}.
CPU a pack adds per resource: no-op ${perResource("floor")}; pinstack's ${perResource("with")}${results.length > 1 ? ` (growth: no-op ${growth("floor")}, pinstack's ${growth("with")})` : ""}.

<details><summary>CPU of every run, in seconds (round order)</summary>

| services | variant | CPU per run |
|---|---|---|
${runRows.join("\n")}

</details>
`);
}

if (require.main === module) main();
