/**
 * Where a policy pack's cost goes (issue: the policy pack's cost). The stack of
 * bench/policies.bench.ts (200 production services), previewed without a pack, with the no-op
 * pack (bench/policy-floor) and with pinstack's pack:
 *
 * 1. CPU per process: every process the preview starts runs in one cgroup; this process polls
 *    the cgroup's members every 20 ms and keeps each one's last utime + stime (/proc/<pid>/stat),
 *    named from its command line (the CLI, the language host, the program's node, the pack's
 *    node, the provider). What a process used after its last poll is in "unattributed" (the
 *    cgroup's total minus the sum).
 * 2. Inside the hot processes, one more preview of each pack variant with profilers on: the
 *    CLI's own `--profiling` (Go pprof, summarised by `go tool pprof -top`) and node's
 *    `--cpu-prof` in every node process (self time by package, and the top functions).
 *
 *   BENCH_SERVICES=200 BENCH_RUNS=3 node -r ./scripts/register-ts.js bench/pack-profile.bench.ts
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { cgroupMeter, loadAverage, machine, median, repoRoot, scratchDir, writeSection } from "./harness";
import { packArgs, project, Variant } from "./policies.bench";
import { pulumiBinary } from "../tests/support/toolchain";

const pulumiBin = pulumiBinary();
const services = Number(process.env.BENCH_SERVICES ?? 200);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const variants: readonly Variant[] = ["without", "floor", "with"];
const label: Record<Variant, string> = { without: "no pack", floor: "no-op pack", with: "pinstack's pack" };

const roles = ["CLI (pulumi)", "language host", "program (node)", "policy pack (node)", "provider (kubernetes)", "other"] as const;
type Role = (typeof roles)[number];

// By the executable first: a node process's arguments can name the language host (its preload
// scripts live in files named after it).
function roleOf(cmdline: string): Role {
    const [argv0 = "", ...args] = cmdline.split(" ");
    const exe = path.basename(argv0);
    if (exe === "pulumi-language-nodejs") return "language host";
    if (exe === "pulumi-resource-kubernetes") return "provider (kubernetes)";
    if (exe === "pulumi") return "CLI (pulumi)";
    const rest = args.join(" ");
    if (/run-policy-pack/.test(rest)) return "policy pack (node)";
    if (/@pulumi\/pulumi\/cmd\/run\//.test(rest)) return "program (node)";
    return "other";
}

const tick = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;

function cpuOfPid(pid: string): number | undefined {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        return ((Number(fields[11]) + Number(fields[12])) * 1000) / tick;
    } catch {
        return undefined;
    }
}

interface Split {
    readonly wallMs: number;
    readonly totalMs: number;
    readonly byRole: Record<Role, number>;
}

/** One preview in a cgroup, its members polled: CPU per role. */
async function previewSplit(dir: string, env: NodeJS.ProcessEnv, variant: Variant, index: number, extra = "", pack = packArgs(variant)): Promise<Split> {
    const meter = cgroupMeter(`pinstack-bench-profile-${process.pid}-${index}`);
    if (!meter) throw new Error("pack-profile needs a writable cgroup (cgroup v1 cpuacct or v2) to split CPU by process");
    const procsFile = meter.enter.match(/> "([^"]+)"/)![1];
    const seen = new Map<string, { role: Role; cpu: number }>();
    const poll = () => {
        for (const pid of fs.readFileSync(procsFile, "utf8").split("\n").filter(Boolean)) {
            let entry = seen.get(pid);
            if (!entry) {
                let cmdline = "";
                try {
                    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
                } catch {
                    continue;
                }
                entry = { role: roleOf(cmdline), cpu: 0 };
                seen.set(pid, entry);
            }
            // A node or Go process re-reads its command line after exec: classify again while it is cheap.
            if (entry.role === "other") {
                try {
                    entry.role = roleOf(fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " "));
                } catch {
                    // exited
                }
            }
            entry.cpu = cpuOfPid(pid) ?? entry.cpu;
        }
    };
    const start = process.hrtime.bigint();
    const child = spawn("bash", ["-c", `${meter.enter} exec "${pulumiBin}" preview --stack bench --cwd "${dir}" --non-interactive --color never ${pack} ${extra} > "${dir}/preview.out" 2>&1`], { env, stdio: "ignore" });
    const timer = setInterval(poll, 20);
    const code: number = await new Promise((resolve) => child.on("exit", (c) => resolve(c ?? -1)));
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    try {
        // Stragglers (plugins the CLI stopped without waiting) are still polled until they go.
        const deadline = Date.now() + 60_000;
        while (fs.readFileSync(procsFile, "utf8").trim() !== "" && Date.now() < deadline) {
            poll();
            await new Promise((r) => setTimeout(r, 20));
        }
        clearInterval(timer);
        if (code !== 0) throw new Error(`preview (${variant}) failed:\n${fs.readFileSync(path.join(dir, "preview.out"), "utf8").slice(-4000)}`);
        const totalMs = meter.read();
        const byRole = Object.fromEntries(roles.map((r) => [r, 0])) as Record<Role, number>;
        for (const { role, cpu } of seen.values()) byRole[role] += cpu;
        return { wallMs, totalMs, byRole };
    } finally {
        clearInterval(timer);
        meter.remove();
    }
}

/** Self time of a node .cpuprofile, by package (node_modules/<pkg>, node internals, GC, ...), and its top functions. */
function nodeProfile(file: string): { totalMs: number; byPackage: Map<string, number>; top: Array<[string, number]> } {
    const profile = JSON.parse(fs.readFileSync(file, "utf8"));
    const nodes = new Map<number, any>(profile.nodes.map((n: any) => [n.id, n]));
    const selfUs = new Map<number, number>();
    for (let i = 0; i < profile.samples.length; i++) selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
    const byPackage = new Map<string, number>();
    const byFunction = new Map<string, number>();
    let totalUs = 0;
    for (const [id, us] of selfUs) {
        const frame = nodes.get(id).callFrame;
        if (frame.functionName === "(idle)") continue;
        totalUs += us;
        const url: string = frame.url ?? "";
        const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1]
            ?? (url.startsWith("node:") ? "node internals" : url ? (url.includes("/policies/") ? "pinstack policies" : path.basename(path.dirname(url.replace(/^file:\/\//, "")))) : frame.functionName || "(native)");
        byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
        const fn = `${frame.functionName || "(anonymous)"} ${url ? `${url.replace(/^.*node_modules\//, "").replace(/^file:\/\//, "").replace(repoRoot + "/", "")}:${frame.lineNumber + 1}` : ""}`.trim();
        byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    }
    const top = [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([f, us]) => [f, us / 1000] as [string, number]);
    return { totalMs: totalUs / 1000, byPackage: new Map([...byPackage].map(([k, v]) => [k, v / 1000])), top };
}

const cpuProf = (profDir: string) => `--cpu-prof --cpu-prof-dir=${profDir}`;

/** A copy of the variant's pack inside the project copy, its node started with --cpu-prof; the preview's pack arguments. */
function profiledPack(dir: string, variant: "floor" | "with", profDir: string): string {
    const source = variant === "with" ? path.join(repoRoot, "policies") : path.join(repoRoot, "bench", "policy-floor");
    const copy = path.join(dir, variant === "with" ? "policies" : "policy-floor");
    fs.rmSync(copy, { recursive: true, force: true });
    fs.cpSync(source, copy, { recursive: true });
    // The floor pack requires policies/fast-path by a path relative to where it lives.
    const entry = path.join(copy, "index.js");
    if (variant === "floor") fs.writeFileSync(entry, fs.readFileSync(entry, "utf8").split(`require("../../policies/fast-path")`).join(`require(${JSON.stringify(path.join(repoRoot, "policies", "fast-path"))})`));
    const manifest = path.join(copy, "PulumiPolicy.yaml");
    const text = fs.readFileSync(manifest, "utf8");
    if (!/^ {4}typescript: false$/m.test(text)) throw new Error(`${manifest}: expected runtime.options.typescript: false to add nodeargs beside`);
    // Not --cpu-prof: the CLI kills the pack at the end, before node would write it (see the preload).
    fs.writeFileSync(manifest, text.replace(/^ {4}typescript: false$/m, `    typescript: false\n    nodeargs: --require ${path.join(__dirname, "pack-cpu-profile.js")}`));
    return packArgs(variant).split(source).join(copy);
}

/** The project copy's Pulumi.yaml with --cpu-prof added to the program's nodeargs; returns the undo. */
function profiledProgram(dir: string, profDir: string): () => void {
    const manifest = path.join(dir, "Pulumi.yaml");
    const text = fs.readFileSync(manifest, "utf8");
    if (!/^ {4}nodeargs: /m.test(text)) throw new Error(`${manifest}: expected runtime.options.nodeargs`);
    fs.writeFileSync(manifest, text.replace(/^ {4}nodeargs: /m, `    nodeargs: ${cpuProf(profDir)} `));
    return () => fs.writeFileSync(manifest, text);
}

/** `go tool pprof -top` of the CLI's CPU profile, its first rows. */
function goProfileTop(prefix: string, cum: boolean, binary = pulumiBin): string {
    const file = fs.readdirSync(path.dirname(prefix)).filter((f) => f.startsWith(path.basename(prefix)) && f.endsWith(".cpu")).map((f) => path.join(path.dirname(prefix), f)).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0]; // the busiest process's
    if (!file) throw new Error(`no CPU profile at ${prefix}.*.cpu`);
    const r = spawnSync("go", ["tool", "pprof", "-top", ...(cum ? ["-cum"] : []), "-nodecount=25", binary, file], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`go tool pprof: ${r.stderr}`);
    return r.stdout.split("\n").filter((l) => /^\s+[\d.]+(m?s)?\s/.test(l) || /^Showing|^\s+flat/.test(l)).join("\n");
}

async function main(): Promise<void> {
    if (!fs.existsSync(pulumiBin)) throw new Error(`pack-profile: ${pulumiBin} is missing; run bash scripts/setup`);
    const loads = [loadAverage()];
    const { dir, env } = project(services);
    try {
        let index = 0;
        for (const v of variants) await previewSplit(dir, env, v, index++); // warm-up
        const splits: Record<Variant, Split[]> = { without: [], floor: [], with: [] };
        for (let i = 0; i < runs; i++) {
            for (const v of variants.map((_, k) => variants[(k + i) % variants.length])) {
                const s = await previewSplit(dir, env, v, index++);
                splits[v].push(s);
                console.log(`${v}: wall ${(s.wallMs / 1000).toFixed(1)} s, CPU ${(s.totalMs / 1000).toFixed(1)} s: ${roles.map((r) => `${r} ${(s.byRole[r] / 1000).toFixed(1)}`).join(", ")}`);
            }
            loads.push(loadAverage());
        }
        const med = (v: Variant, f: (s: Split) => number) => median(splits[v].map(f));
        const sec = (msValue: number) => `${(msValue / 1000).toFixed(2)} s`;
        const unattributed = (s: Split) => s.totalMs - roles.reduce((sum, r) => sum + s.byRole[r], 0);
        const splitRows = [...roles.map((r) => `| ${r} | ${variants.map((v) => sec(med(v, (s) => s.byRole[r]))).join(" | ")} | ${sec(med("floor", (s) => s.byRole[r]) - med("without", (s) => s.byRole[r]))} | ${sec(med("with", (s) => s.byRole[r]) - med("floor", (s) => s.byRole[r]))} |`),
            `| unattributed (CPU after a process's last poll) | ${variants.map((v) => sec(med(v, unattributed))).join(" | ")} | | |`,
            `| **all (cgroup)** | ${variants.map((v) => `**${sec(med(v, (s) => s.totalMs))}**`).join(" | ")} | **${sec(med("floor", (s) => s.totalMs) - med("without", (s) => s.totalMs))}** | **${sec(med("with", (s) => s.totalMs) - med("floor", (s) => s.totalMs))}** |`];

        // Profiles: one more preview of each pack variant with the profilers on.
        const profiles: string[] = [];
        for (const v of ["floor", "with"] as const) {
            const profDir = scratchDir(`profile-${v}`);
            try {
                // node refuses --cpu-prof in NODE_OPTIONS: it goes in the runtime's nodeargs of copies
                // of the program's Pulumi.yaml and of the pack.
                const packFlags = profiledPack(dir, v, profDir);
                const restore = profiledProgram(dir, profDir);
                try {
                    await previewSplit(dir, { ...env, PINSTACK_PACK_CPU_PROFILE_DIR: profDir, PINSTACK_LANGUAGE_HOST_CPUPROFILE: profDir }, v, index++, `--profiling "${path.join(profDir, "cli")}"`, packFlags);
                } finally {
                    restore();
                }
                const nodeFiles = fs.readdirSync(profDir).filter((f) => f.endsWith(".cpuprofile")).map((f) => path.join(profDir, f));
                const parsed = nodeFiles.map((f) => ({ f, p: nodeProfile(f), text: fs.readFileSync(f, "utf8") }));
                const pack = parsed.filter((x) => x.text.includes("run-policy-pack")).sort((a, b) => b.p.totalMs - a.p.totalMs)[0];
                const program = parsed.filter((x) => !x.text.includes("run-policy-pack") && x.text.includes("cmd/run/")).sort((a, b) => b.p.totalMs - a.p.totalMs)[0];
                const describe = (name: string, x: (typeof parsed)[number] | undefined) => {
                    if (!x) return `${name}: no profile found\n`;
                    const pk = [...x.p.byPackage].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, msv]) => `| ${k} | ${msv.toFixed(0)} ms | ${((100 * msv) / x.p.totalMs).toFixed(0)}% |`).join("\n");
                    const fns = x.p.top.map(([f, msv]) => `| \`${f.replace(/\|/g, "\\|")}\` | ${msv.toFixed(0)} ms |`).join("\n");
                    return `**${name}** (${label[v]}): ${x.p.totalMs.toFixed(0)} ms of samples on the main thread (the profiler sees JavaScript and what it calls, not GC threads).\n\n| package (self time) | ms | share |\n|---|---|---|\n${pk}\n\n| function (self time) | ms |\n|---|---|\n${fns}\n`;
                };
                profiles.push(describe("the pack's node", pack));
                if (v === "floor") profiles.push(describe("the program's node", program));
                const hostBin = path.join(path.dirname(pulumiBin), "pulumi-language-nodejs");
                profiles.push(`**The language host** (${label[v]}), \`go tool pprof -top -cum\` of the host that proxied the pack (PINSTACK_LANGUAGE_HOST_CPUPROFILE):\n\n\`\`\`\n${goProfileTop(path.join(profDir, "language-host"), true, hostBin)}\n\`\`\`\n`);
                profiles.push(`**The CLI** (${label[v]}), \`go tool pprof -top\` of \`pulumi preview --profiling\` (flat, then cumulative):\n\n\`\`\`\n${goProfileTop(path.join(profDir, "cli"), false)}\n\`\`\`\n\n\`\`\`\n${goProfileTop(path.join(profDir, "cli"), true)}\n\`\`\`\n`);
            } finally {
                // Kept for a closer look (go tool pprof, chrome://inspect); scratch space in the temp directory.
                console.log(`profiles of ${v}: ${profDir}`);
            }
        }
        writeSection("pack-profile", `
## Where a policy pack's CPU goes

${machine()}; pulumi ${spawnSync(pulumiBin, ["version"], { encoding: "utf8" }).stdout.trim()}, the upstream Kubernetes provider 4.25.0 (render mode).
The stack of the section above (${services} production services). CPU per process: every process of the preview in one
cgroup, polled every 20 ms (bench/pack-profile.bench.ts); medians of ${runs} rounds, rotating order, after one
warm-up each. Load average (1 min): ${loads.join(" → ")}.

| process | ${variants.map((v) => label[v]).join(" | ")} | no-op pack − no pack | pinstack's − no-op |
|---|---|---|---|---|---|
${splitRows.join("\n")}

${profiles.join("\n")}
`);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

if (require.main === module) main().catch((e) => {
    console.error(e);
    process.exit(1);
});
