/**
 * A fake `pulumi` executable for CLI tests: `pulumi stack history --stack S --json ...` prints
 * the JSON in $FAKE_PULUMI_DIR/<S>.history.json (or fails like the real CLI when there is
 * none); anything else fails. Put its directory first on PATH, or name it in PINSTACK_PULUMI.
 * Each call is appended to $FAKE_PULUMI_DIR/calls.log so tests can assert it was (not) used.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readStackFile } from "../../lib/config";

export interface FakePulumi {
    readonly dir: string;
    /** Environment for runPinstack: PATH with the fake first, PINSTACK_PULUMI, FAKE_PULUMI_DIR. */
    readonly env: NodeJS.ProcessEnv;
    setHistory(stack: string, updates: readonly unknown[]): void;
    calls(): string[];
    remove(): void;
}

const SCRIPT = `#!/usr/bin/env node
const fs = require("fs");
const path = require("path");
const dir = process.env.FAKE_PULUMI_DIR;
const args = process.argv.slice(2);
fs.appendFileSync(path.join(dir, "calls.log"), args.join(" ") + "\\n");
const stackAt = args.indexOf("--stack");
const stack = stackAt >= 0 ? args[stackAt + 1] : "";
if (args[0] === "stack" && args[1] === "history" && args.includes("--json")) {
    const file = path.join(dir, stack + ".history.json");
    if (!fs.existsSync(file)) {
        process.stderr.write("error: no stack named '" + stack + "' found\\n");
        process.exit(255);
    }
    // Synchronous: process.exit drops what an asynchronous write to a pipe has not flushed yet.
    fs.writeSync(1, fs.readFileSync(file));
    process.exit(0);
}
process.stderr.write("fake pulumi: unexpected arguments: " + args.join(" ") + "\\n");
process.exit(2);
`;

export function fakePulumi(): FakePulumi {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinstack-fake-pulumi-"));
    const bin = path.join(dir, "pulumi");
    fs.writeFileSync(bin, SCRIPT, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, "calls.log"), "");
    return {
        dir,
        env: { PATH: `${dir}${path.delimiter}${process.env.PATH ?? ""}`, PINSTACK_PULUMI: bin, FAKE_PULUMI_DIR: dir },
        setHistory: (stack, updates) => fs.writeFileSync(path.join(dir, `${stack}.history.json`), JSON.stringify(updates, null, 4)),
        calls: () => fs.readFileSync(path.join(dir, "calls.log"), "utf8").split("\n").filter((l) => l !== ""),
        remove: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
}

/** An update as `pulumi stack history --json` prints it: the diy backend's shape (version 0, config recorded). */
export function historyEntry(options: { minutesAgo: number; result?: string; kind?: string; message?: string; config: Record<string, unknown> }): Record<string, unknown> {
    const start = new Date(Date.now() - options.minutesAgo * 60_000);
    const config: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(options.config)) {
        config[key] = typeof value === "object" ? { value: JSON.stringify(value), objectValue: value, secret: false } : { value: String(value), secret: false };
    }
    return {
        version: 0,
        kind: options.kind ?? "update",
        startTime: start.toISOString(),
        message: options.message ?? "",
        environment: { "exec.kind": "cli" },
        config,
        result: options.result ?? "succeeded",
        endTime: new Date(start.getTime() + 30_000).toISOString(),
        resourceChanges: { same: 3 },
    };
}

/** One update, `minutesAgo` minutes ago, that ran the stack file as it is now (its config as Pulumi records it). */
export function deployedFile(file: string, options: { minutesAgo: number; message?: string; result?: string }): Record<string, unknown> {
    return historyEntry({ ...options, config: JSON.parse(JSON.stringify(readStackFile(file).raw)) });
}
