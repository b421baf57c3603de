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
