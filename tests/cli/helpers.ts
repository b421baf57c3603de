/**
 * Helpers for tests that run `pinstack` as a process (bin/pinstack.js -> dist/cli/main.js)
 * against temporary copies of config files. Reusable by every command's tests:
 *
 *   before(ensureBuilt);                         // compiles dist/ once per mocha run if stale
 *   const project = tempProject({ "Pulumi.staging.yaml": text });
 *   const { code, stdout, stderr } = runPinstack(["check"], { cwd: project.dir });
 *   assert.deepEqual(snapshot(project.dir), before);   // nothing written
 */
import { spawn, spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The repository root (where package.json and bin/ are). */
export const repoRoot = path.resolve(__dirname, "../..");
const bin = path.join(repoRoot, "bin", "pinstack.js");
const compiledMain = path.join(repoRoot, "dist", "cli", "main.js");

/** What a pinstack run returned. */
export interface RunResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

/**
 * Runs `node bin/pinstack.js ...args` in `cwd`. Colour variables are removed from the
 * environment (the output is a pipe, so no colour), unless `env` sets them.
 */
export function runPinstack(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): RunResult {
    ensureBuilt();
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.FORCE_COLOR;
    delete env.NO_COLOR;
    const result = spawnSync(process.execPath, [bin, ...args], {
        cwd: options.cwd ?? repoRoot,
        env: { ...env, ...(options.env ?? {}) },
        input: options.input,
        encoding: "utf8",
        timeout: 60_000,
    });
    if (result.error) throw result.error;
    return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/**
 * runPinstack without blocking the event loop: for tests whose own process serves what the
 * command asks (a loopback registry), which a synchronous spawn would leave unanswered.
 */
export function runPinstackAsync(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult & { ms: number }> {
    ensureBuilt();
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.FORCE_COLOR;
    delete env.NO_COLOR;
    const started = Date.now();
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [bin, ...args], { cwd: options.cwd ?? repoRoot, env: { ...env, ...(options.env ?? {}) }, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk) => (stdout += String(chunk)));
        child.stderr.on("data", (chunk) => (stderr += String(chunk)));
        const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
        child.on("error", reject);
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve({ code: code ?? -1, stdout, stderr, ms: Date.now() - started });
        });
    });
}

/** Parses `--json` output: one JSON object per line. */
export function jsonLines(stdout: string): Record<string, unknown>[] {
    return stdout
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A temporary project directory. */
export interface TempProject {
    readonly dir: string;
    /** Absolute path of a file in the project. */
    file(name: string): string;
    read(name: string): string;
    write(name: string, text: string): void;
    remove(): void;
}

const created: string[] = [];

/** A temporary directory holding `files` (name -> text). Removed by removeTempProjects() or remove(). */
export function tempProject(files: Readonly<Record<string, string>> = {}): TempProject {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinstack-cli-"));
    created.push(dir);
    const project: TempProject = {
        dir,
        file: (name) => path.join(dir, name),
        read: (name) => fs.readFileSync(path.join(dir, name), "utf8"),
        write: (name, text) => {
            fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
            fs.writeFileSync(path.join(dir, name), text);
        },
        remove: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
    for (const [name, text] of Object.entries(files)) project.write(name, text);
    return project;
}

/** Removes every project tempProject made in this process (call from an `after` hook). */
export function removeTempProjects(): void {
    while (created.length) fs.rmSync(created.pop() as string, { recursive: true, force: true });
}

/** The repository's own Pulumi.yaml and Pulumi.<stack>.yaml files, to copy into a temp project. */
export function repoStackFiles(): Record<string, string> {
    const files: Record<string, string> = {};
    for (const name of fs.readdirSync(repoRoot)) {
        if (/^Pulumi(\.[^.]+)?\.yaml$/.test(name)) files[name] = fs.readFileSync(path.join(repoRoot, name), "utf8");
    }
    return files;
}

/** sha256 of every file under `dir` (relative path -> hash): compare before and after a command. */
export function snapshot(dir: string): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (at: string) => {
        for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
            const full = path.join(at, entry.name);
            if (entry.isDirectory()) walk(full);
            else out[path.relative(dir, full)] = createHash("sha256").update(fs.readFileSync(full)).digest("hex");
        }
    };
    walk(dir);
    return out;
}

let built = false;

/**
 * Compiles what the CLI runs from (cli/, lib/, stacks/ via tests/cli/tsconfig.cli.json,
 * into the same dist/ paths as tsconfig.json) when dist/cli/main.js is older than any of
 * those sources; at most once per process. Type errors do not stop tsc from emitting, so
 * they are reported but not fatal here (`npm run typecheck` is where they fail).
 * As a hook (`before(ensureBuilt)`) it lifts the hook's timeout: a cold build on a busy
 * machine takes minutes, and mocha would fail a synchronous hook that ran longer.
 */
export function ensureBuilt(this: unknown): void {
    const hook = this as { timeout?: (ms: number) => unknown } | undefined;
    if (hook && typeof hook.timeout === "function") hook.timeout(0);
    if (built) return;
    built = true;
    if (fs.existsSync(compiledMain) && newestSource() <= fs.statSync(compiledMain).mtimeMs) return;
    const tsc = require.resolve("typescript/bin/tsc", { paths: [repoRoot] });
    const result = spawnSync(process.execPath, [tsc, "-p", path.join(__dirname, "tsconfig.cli.json")], { cwd: repoRoot, encoding: "utf8" });
    if (!fs.existsSync(compiledMain)) {
        throw new Error(`building dist/ failed:\n${result.stdout}${result.stderr}`);
    }
    if (result.status !== 0) process.stderr.write(`(tsc reported type errors; dist/ was emitted anyway)\n${result.stdout.slice(0, 2000)}`);
}

function newestSource(): number {
    let newest = 0;
    const walk = (dir: string) => {
        if (!fs.existsSync(dir)) return;
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) walk(full);
            else if (entry.name.endsWith(".ts")) newest = Math.max(newest, fs.statSync(full).mtimeMs);
        }
    };
    for (const dir of ["lib", "cli", "stacks"]) walk(path.join(repoRoot, dir));
    return newest;
}
