import { Command } from "commander";
import { stackFilePath, loadStack } from "../../lib/config";
import { PinstackError } from "../../lib/errors";
import { colorEnabled, jsonLine, painter } from "../../lib/format";
import { buildHistory, describeChange, fileVersions, HistoryEntry } from "../../lib/history";
import { stackHistory, StackUpdate } from "../../lib/pulumi-cli";

/** `pinstack history <stack> [--json]`: the audit trail of a stack's pins. */
export function register(program: Command): void {
    program
        .command("history")
        .description("who changed which pin, when and why, and whether the update that deployed it succeeded")
        .argument("<stack>", "the stack, e.g. production")
        .option("--json", "one JSON object per line, newest first: type change (commit, author, date, message, command, reason, by, changes, hold, freeze, updates) or update")
        .addHelpText(
            "after",
            `
Examples:
  $ pinstack history production
  $ pinstack history production --json | jq 'select(.type == "change") | .reason'

From git history of Pulumi.<stack>.yaml (with the provenance of each pin) joined with
\`pulumi stack history\` (time, result, message). Exit 2: unknown stack, not a git repository.`,
        )
        .action((stack: string, options: { json?: boolean }, command: Command) => {
            const dir: string = command.optsWithGlobals().dir;
            const config = loadStack(dir, stack);
            const versions = fileVersions(stackFilePath(dir, config.stack));
            let updates: StackUpdate[] = [];
            try {
                updates = stackHistory(config.stack, { cwd: dir });
            } catch (err) {
                if (!(err instanceof PinstackError)) throw err;
                process.stderr.write(`warning: ${err.message}; listing file changes without Pulumi updates\n`);
            }
            const entries = buildHistory(versions, updates);
            if (options.json) {
                process.stdout.write(entries.map((e) => jsonLine(e)).join(""));
                return;
            }
            const paint = painter(colorEnabled());
            process.stdout.write(entries.map((e) => humanEntry(e, paint)).join("\n") || `no history for ${config.stack}\n`);
        });
}

function humanEntry(entry: HistoryEntry, paint: ReturnType<typeof painter>): string {
    if (entry.type === "update") {
        return `${entry.startTime}  ${paint("dim", `pulumi ${entry.kind} ${entry.version}`)}  ${result(entry.result, paint)}${entry.message ? `  "${entry.message}"` : ""}  (${entry.note})\n`;
    }
    const head = `${entry.date}  ${entry.commit ? paint("yellow", entry.commit.slice(0, 7)) : paint("yellow", "working tree")}  ${entry.author ? `${entry.author} <${entry.email}>` : ""}  ${entry.message}`;
    const lines = [head];
    if (entry.command) lines.push(`    ${paint("bold", entry.command)} by ${entry.by}: ${entry.reason}`);
    for (const change of entry.changes) {
        const glass = change.provenance && isRecord(change.provenance.breakGlass) ? `, break-glass through ${String(change.provenance.breakGlass.freeze)}` : "";
        const from = change.provenance && typeof change.provenance.from === "string" ? `  (from ${change.provenance.from}${change.provenance.rollback ? ", rollback" : ""}${glass})` : "";
        lines.push(`    ${describeChange(change)}${from}`);
    }
    if (entry.error) lines.push(`    ${paint("red", `unreadable: ${entry.error}`)}`);
    if (entry.freeze) lines.push(`    frozen by ${String(entry.freeze.by)}: ${String(entry.freeze.reason)} (${entry.freeze.until ? `until ${String(entry.freeze.until)}` : "until cleared"})`);
    if (entry.hold) lines.push(`    on hold${entry.holdReason ? `: ${entry.holdReason}` : ""}`);
    for (const update of entry.updates) lines.push(`    deployed: pulumi ${update.kind} ${update.version} ${result(update.result, paint)} at ${update.endTime ?? update.startTime}${update.message ? `  "${update.message}"` : ""}`);
    if (entry.updates.length === 0 && entry.changes.length > 0) lines.push(`    ${paint("dim", "not deployed")}`);
    return lines.join("\n") + "\n";
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

function result(value: string, paint: ReturnType<typeof painter>): string {
    return value === "succeeded" ? paint("green", value) : value === "failed" ? paint("red", value) : value;
}
