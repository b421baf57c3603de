/**
 * Shared benchmark harness: time a command as a process (median of N runs), measure the
 * bare `node -e ''` start in the same run as the baseline, and write a section of
 * BENCHMARKS.md between markers so each benchmark owns its own section.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const repoRoot = path.resolve(__dirname, "..");
export const pinstackBin = path.join(repoRoot, "bin", "pinstack.js");

/** Timing of one command: wall-clock and CPU (user + system) medians of the runs, in milliseconds. */
export interface Timing {
    readonly label: string;
    readonly runsMs: readonly number[];
    readonly medianMs: number;
    readonly cpuRunsMs: readonly number[];
    readonly cpuMs: number;
    readonly exitCode: number;
}

const cpuWrapper = path.join(__dirname, "cpu-time.js");

/**
 * Runs `node <script> <args>` `runs` times (after one warm-up) through bench/cpu-time.js
 * and returns wall and CPU timings. `script` "" measures node's start alone. Fails when
 * the exit code is not one of `okCodes`.
 */
export function timeNode(label: string, args: readonly string[], options: { cwd?: string; runs?: number; okCodes?: readonly number[] } = {}): Timing {
    const runs = options.runs ?? 5;
    const okCodes = options.okCodes ?? [0];
    const once = () => {
        const start = process.hrtime.bigint();
        const result = spawnSync(process.execPath, [cpuWrapper, ...args], { cwd: options.cwd ?? repoRoot, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        if (result.error) throw result.error;
        if (!okCodes.includes(result.status ?? -1)) {
            throw new Error(`${label}: exit ${result.status}\n${result.stderr.slice(0, 2000)}`);
        }
        const cpu = /BENCH_CPU_MS ([\d.]+)\s*$/.exec(result.stderr);
        if (!cpu) throw new Error(`${label}: no CPU time reported`);
        return { ms, cpu: Number(cpu[1]), code: result.status ?? -1 };
    };
    const warm = once();
    const samples = Array.from({ length: runs }, () => once());
    const wall = samples.map((s) => s.ms);
    const cpu = samples.map((s) => s.cpu);
    return { label, runsMs: wall, medianMs: median(wall), cpuRunsMs: cpu, cpuMs: median(cpu), exitCode: warm.code };
}

/** The baseline every result is compared with: a bare node start (`node -e ''`, measured through the same CPU wrapper). */
export function baseline(runs = 7): Timing {
    return timeNode("node -e ''", [], { runs });
}

/** The load average over the last minute, to show how busy the machine was. */
export function loadAverage(): string {
    return os.loadavg()[0].toFixed(1);
}

export function median(values: readonly number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Several timings of one case as one: every run's times, their medians (the upper middle of an even count). */
export function mergeTimings(label: string, runs: readonly Timing[]): Timing {
    const wall = runs.flatMap((r) => r.runsMs);
    const cpu = runs.flatMap((r) => r.cpuRunsMs);
    const upperMedian = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
    return { label, runsMs: wall, medianMs: upperMedian(wall), cpuRunsMs: cpu, cpuMs: upperMedian(cpu), exitCode: runs[0].exitCode };
}

/** A temporary directory for generated inputs, removed by the caller. */
export function scratchDir(prefix: string): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), `pinstack-bench-${prefix}-`));
}

/** One line describing the machine, for the report. */
export function machine(): string {
    return `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}

export const ms = (value: number) => `${value.toFixed(0)} ms`;
/** `wall / cpu` for a table cell. */
export const both = (t: Timing) => `${ms(t.medianMs)} / ${ms(t.cpuMs)}`;
export const ratio = (value: number, base: number) => `${(value / base).toFixed(2)}×`;

/**
 * Replaces (or appends) the section `name` of BENCHMARKS.md, delimited by
 * `<!-- bench:name -->` and `<!-- /bench:name -->`.
 */
export function writeSection(name: string, markdown: string): void {
    const file = path.join(repoRoot, "BENCHMARKS.md");
    const header = "# Benchmarks\n\nWritten by `bash bench/run` (`npm run bench`); each section by its own benchmark. Times are wall-clock medians of\nseparate processes; ratios are against a bare `node -e ''` start measured in the same run, so they carry\nfrom one machine to another better than the absolute times.\n";
    let text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : header;
    const start = `<!-- bench:${name} -->`;
    const end = `<!-- /bench:${name} -->`;
    const block = `${start}\n${markdown.trim()}\n${end}`;
    const i = text.indexOf(start);
    const j = text.indexOf(end);
    text = i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : `${text.trimEnd()}\n\n${block}\n`;
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
}

/**
 * CPU time of a process tree, read from a cgroup made for it (cgroup v1 cpuacct, or v2). bash's
 * `times` is not enough here: it counts only children that were waited for, and the Pulumi CLI
 * stops its plugins (language host, program, policy pack, provider) without waiting for all of
 * them — measured: `times` saw 6.6 s where the cgroup saw 14.6 s for the same preview. Without a
 * writable cgroup the benchmark falls back to `times` and says so.
 */
export interface CpuMeter {
    readonly kind: string;
    /** A shell prefix that moves the shell into the meter's group. */
    readonly enter: string;
    /** CPU milliseconds used by everything that ran in the group (waits for stragglers to exit). */
    read(): number;
    remove(): void;
}

export function cgroupMeter(name: string): CpuMeter | undefined {
    const candidates = [
        { root: "/sys/fs/cgroup/cpuacct", usage: (dir: string) => Number(fs.readFileSync(path.join(dir, "cpuacct.usage"), "utf8")) / 1e6, kind: "cgroup v1 cpuacct" },
        { root: "/sys/fs/cgroup/unified", usage: (dir: string) => cpuStatMs(dir), kind: "cgroup v2" },
        { root: "/sys/fs/cgroup", usage: (dir: string) => cpuStatMs(dir), kind: "cgroup v2" },
    ];
    for (const candidate of candidates) {
        const dir = path.join(candidate.root, name);
        try {
            fs.mkdirSync(dir);
            candidate.usage(dir);
        } catch {
            try {
                fs.rmdirSync(dir);
            } catch {
                // not created
            }
            continue;
        }
        return {
            kind: candidate.kind,
            enter: `echo $$ > "${path.join(dir, "cgroup.procs")}" || exit 97;`,
            read() {
                const procs = path.join(dir, "cgroup.procs");
                const deadline = Date.now() + 60_000;
                while (fs.readFileSync(procs, "utf8").trim() !== "" && Date.now() < deadline) spawnSync("sleep", ["0.2"]);
                return candidate.usage(dir);
            },
            remove() {
                fs.rmdirSync(dir);
            },
        };
    }
    return undefined;
}

function cpuStatMs(dir: string): number {
    const usec = /^usage_usec (\d+)$/m.exec(fs.readFileSync(path.join(dir, "cpu.stat"), "utf8"));
    if (!usec) throw new Error(`no usage_usec in ${dir}/cpu.stat`);
    return Number(usec[1]) / 1000;
}


/**
 * Runs `script` with bash inside a fresh CPU meter (cgroup when possible, else bash `times`).
 * Returns wall time, CPU time of everything it started, and what the meter was.
 */
export function meteredBash(script: string, env: NodeJS.ProcessEnv, name: string): { wallMs: number; cpuMs: number; meter: string; status: number | null; stdout: string; stderr: string } {
    const meter = cgroupMeter(name);
    const start = process.hrtime.bigint();
    const result = spawnSync("bash", ["-c", `${meter?.enter ?? ""} ${script}; code=$?; times; exit $code`], { env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024, timeout: 3_600_000 });
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    try {
        let cpuMs: number;
        if (meter) cpuMs = meter.read();
        else {
            const children = result.stdout.trim().split("\n").pop() ?? "";
            const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
            cpuMs = seconds.length === 2 ? (seconds[0] + seconds[1]) * 1000 : NaN;
        }
        return { wallMs, cpuMs, meter: meter?.kind ?? "bash `times` (undercounts: plugins the CLI does not wait for are missed)", status: result.status, stdout: result.stdout, stderr: result.stderr };
    } finally {
        meter?.remove();
    }
}
