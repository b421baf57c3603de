/**
 * A temporary copy of the pinstack project run with the real Pulumi CLI: its own file backend,
 * its own git repository (history reads the stack files' commits), manifests rendered to out/.
 * Needs the toolchain from scripts/setup (.pinstack/pulumi/bin, scripts/env.sh); throws when it is
 * missing, so the acceptance test fails instead of silently skipping.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pulumiBinary } from "../../support/toolchain";

export const repoRoot = path.resolve(__dirname, "../../..");
const pulumiBin = pulumiBinary();
const envScript = path.join(repoRoot, "scripts", "env.sh");
const bin = path.join(repoRoot, "bin", "pinstack.js");
/** What the program needs at run time; node_modules is linked, not copied. */
const PROGRAM = ["Pulumi.yaml", "package.json", "tsconfig.json", "index.ts", "program", "components", "lib", "stacks", "scripts"];

export interface Run {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

export class PulumiProject {
    readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinstack-promotion-e2e-"));
    readonly env: NodeJS.ProcessEnv;

    constructor(stackFiles: Record<string, string>) {
        if (!fs.existsSync(pulumiBin) || !fs.existsSync(envScript)) {
            throw new Error(`the Pulumi toolchain is missing (${pulumiBin}, scripts/env.sh): run scripts/setup`);
        }
        for (const entry of PROGRAM) {
            if (fs.existsSync(path.join(repoRoot, entry))) fs.cpSync(path.join(repoRoot, entry), path.join(this.dir, entry), { recursive: true });
        }
        fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(this.dir, "node_modules"), "dir");
        for (const [name, text] of Object.entries(stackFiles)) fs.writeFileSync(path.join(this.dir, name), text);
        fs.writeFileSync(path.join(this.dir, ".gitignore"), "node_modules\nout/\n.pulumi-state/\n");
        const state = path.join(this.dir, ".pulumi-state");
        fs.mkdirSync(state);
        this.env = sourcedEnv({
            PULUMI_BACKEND_URL: `file://${state}`,
            PINSTACK_ACTOR: "release-manager@example.org",
            GIT_AUTHOR_NAME: "Release Manager",
            GIT_AUTHOR_EMAIL: "release-manager@example.org",
            GIT_COMMITTER_NAME: "Release Manager",
            GIT_COMMITTER_EMAIL: "release-manager@example.org",
            NO_COLOR: "1",
        });
        this.git(["init", "-q", "-b", "main"]);
        this.commit("Initial stack files");
    }

    file(name: string): string {
        return path.join(this.dir, name);
    }

    read(name: string): string {
        return fs.readFileSync(this.file(name), "utf8");
    }

    write(name: string, text: string): void {
        fs.writeFileSync(this.file(name), text);
    }

    git(args: string[]): string {
        const r = spawnSync("git", args, { cwd: this.dir, env: this.env, encoding: "utf8" });
        if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
        return r.stdout;
    }

    /** Commits everything (the reviewed change being merged). */
    commit(message: string): string {
        this.git(["add", "-A"]);
        this.git(["commit", "-q", "--allow-empty", "-m", message]);
        return this.git(["rev-parse", "HEAD"]).trim();
    }

    pulumi(args: string[], allowFailure = false): Run {
        const r = spawnSync(pulumiBin, [...args, "--non-interactive", "--cwd", this.dir], { env: this.env, encoding: "utf8", timeout: 900_000, maxBuffer: 256 * 1024 * 1024 });
        if (r.error) throw r.error;
        const out = { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
        if (out.code !== 0 && !allowFailure) throw new Error(`pulumi ${args.join(" ")} exited ${out.code}\n${out.stdout}\n${out.stderr}`);
        return out;
    }

    /** `pulumi stack init` writes the stack's encryption salt into its file: done once, up front, and committed. */
    initStacks(stacks: readonly string[]): void {
        for (const stack of stacks) this.pulumi(["stack", "init", stack, "--secrets-provider", "passphrase"]);
        this.commit(`Initialise stacks ${stacks.join(", ")}`);
    }

    up(stack: string, message: string): void {
        this.pulumi(["up", "--stack", stack, "--yes", "--skip-preview", "--message", message]);
    }

    pinstack(args: string[]): Run {
        const r = spawnSync(process.execPath, [bin, ...args], { cwd: this.dir, env: this.env, encoding: "utf8", timeout: 300_000 });
        if (r.error) throw r.error;
        return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    }

    remove(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

/** The environment scripts/env.sh sets up over `overrides` (callers' values win, as env.sh keeps them). */
function sourcedEnv(overrides: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    const r = spawnSync("bash", ["-c", `source "${envScript}" && env -0`], { env: { ...process.env, ...overrides }, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`sourcing scripts/env.sh failed: ${r.stderr}`);
    const env: NodeJS.ProcessEnv = {};
    for (const entry of r.stdout.split("\0")) {
        const eq = entry.indexOf("=");
        if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    return env;
}
