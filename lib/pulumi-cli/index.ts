import { spawnSync } from "child_process";
import { refused } from "../errors";

/**
 * The Pulumi CLI as a child process: the only way lib/ talks to Pulumi (no @pulumi/* import).
 * Tests put a fake `pulumi` script first on PATH (or name one in PINSTACK_PULUMI) to answer
 * `stack history` without a backend.
 */

export interface PulumiResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

export interface PulumiOptions {
    /** The project directory (holds Pulumi.yaml). */
    readonly cwd: string;
    readonly env?: NodeJS.ProcessEnv;
    readonly timeoutMs?: number;
}

/** The executable: $PINSTACK_PULUMI, else `pulumi` from PATH. */
export function pulumiExecutable(env: NodeJS.ProcessEnv = process.env): string {
    return env.PINSTACK_PULUMI || "pulumi";
}

/**
 * Runs `pulumi <args>` non-interactively: no update check, no plugin downloads, no colour,
 * so output is the same on a laptop and in CI.
 */
export function runPulumi(args: readonly string[], options: PulumiOptions): PulumiResult {
    const env = { ...process.env, ...(options.env ?? {}) };
    const result = spawnSync(pulumiExecutable(env), [...args, "--non-interactive", "--color", "never"], {
        cwd: options.cwd,
        encoding: "utf8",
        maxBuffer: 512 * 1024 * 1024,
        timeout: options.timeoutMs ?? 120_000,
        env: {
            ...env,
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION ?? "true",
            NO_COLOR: "1",
        },
    });
    if (result.error) {
        const code = (result.error as NodeJS.ErrnoException).code;
        throw refused(code === "ENOENT" ? "the pulumi CLI is not installed (or not on PATH)" : `cannot run pulumi (${code ?? result.error.message})`, {
            fix: "source scripts/env.sh (it puts the project's .pinstack/pulumi/bin on PATH and sets PULUMI_HOME), or set PINSTACK_PULUMI to the pulumi executable",
        });
    }
    return { code: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

/** One config value of an update, as `pulumi stack history --json` prints it (secrets have no value). */
export interface HistoryConfigValue {
    readonly value?: string;
    readonly objectValue?: unknown;
    readonly secret: boolean;
}

/** One update of a stack (`pulumi stack history --json`), numbered and with times parsed. */
export interface StackUpdate {
    /**
     * The update's number: Pulumi's version where the backend numbers updates (Pulumi Cloud);
     * the file backend leaves it 0, so updates are numbered 1, 2, ... oldest first, which is
     * the numbering Pulumi Cloud uses.
     */
    readonly version: number;
    readonly kind: string;
    /** "succeeded", "failed", "in-progress". */
    readonly result: string;
    readonly startTime: string;
    readonly endTime?: string;
    readonly message: string;
    readonly environment: Readonly<Record<string, string>>;
    readonly config: Readonly<Record<string, HistoryConfigValue>>;
    readonly resourceChanges?: Readonly<Record<string, number>>;
}

interface RawUpdate {
    version?: number;
    kind?: string;
    result?: string;
    startTime?: string;
    endTime?: string;
    message?: string;
    environment?: Record<string, string>;
    config?: Record<string, HistoryConfigValue>;
    resourceChanges?: Record<string, number>;
}

/** Reads every update of `stack`, newest first. Refused (exit 1) when the CLI fails: history cannot be checked. */
export function stackHistory(stack: string, options: PulumiOptions): StackUpdate[] {
    const result = runPulumi(["stack", "history", "--stack", stack, "--json", "--page-size", "0"], options);
    if (result.code !== 0) {
        const message = result.stderr.split("\n").find((l) => l.trim() !== "")?.replace(/^error:\s*/, "") ?? `exit ${result.code}`;
        throw refused(`cannot read the update history of stack ${stack}: ${message}`, {
            why: "pinstack reads `pulumi stack history` to see what was deployed, when, and whether it succeeded",
            fix: /no stack named/i.test(message)
                ? `the stack has never been created on this backend: run \`pulumi stack init ${stack}\` and \`pulumi up -s ${stack}\` (source scripts/env.sh for the local file backend)`
                : "check `pulumi stack history -s <stack>` by hand (backend login, PULUMI_BACKEND_URL, passphrase)",
        });
    }
    return parseStackHistory(result.stdout);
}

/** Parses `pulumi stack history --json` output into updates, newest first. */
export function parseStackHistory(json: string): StackUpdate[] {
    let raw: unknown;
    try {
        raw = JSON.parse(json.trim() === "" ? "[]" : json);
    } catch (err) {
        throw refused(`pulumi stack history printed something that is not JSON (${(err as Error).message})`);
    }
    if (!Array.isArray(raw)) throw refused("pulumi stack history --json did not print a list of updates");
    const updates = (raw as RawUpdate[]).map((u) => ({
        version: typeof u.version === "number" ? u.version : 0,
        kind: u.kind ?? "update",
        result: u.result ?? "in-progress",
        startTime: u.startTime ?? "",
        endTime: u.endTime,
        message: u.message ?? "",
        environment: u.environment ?? {},
        config: u.config ?? {},
        resourceChanges: u.resourceChanges,
    }));
    // Oldest first for numbering; Pulumi prints newest first, ties keep that order.
    const chronological = updates.map((u, i) => ({ u, i })).sort((a, b) => Date.parse(a.u.startTime) - Date.parse(b.u.startTime) || b.i - a.i);
    const numbered = updates.every((u) => u.version === 0) ? chronological.map(({ u }, n) => ({ ...u, version: n + 1 })) : chronological.map(({ u }) => u);
    return numbered.reverse();
}
