import { Command } from "commander";
// The libraries load inside the action, so other commands do not pay for them at start-up.

/** `pinstack report [--json] [--html <dir>] [--since T] [--until T]`: the release board. */
export function register(program: Command): void {
    program
        .command("report")
        .description("the release board: what runs where and what happened, as a static page (--html) or JSON")
        .option("--html <dir>", "write the board as a self-contained site: <dir>/index.html and <dir>/board.json")
        .option("--json", "one JSON object per line: type board, then row, event, update and release")
        .option("--since <time>", "leave out events, updates and releases before this date or time (ISO-8601)")
        .option("--until <time>", "leave out events, updates and releases after this date or time (ISO-8601)")
        .addHelpText(
            "after",
            `
Examples:
  $ pinstack report --html board
  $ pinstack report --json --since 2026-01-01 | jq 'select(.type == "release") | .leadTimeSeconds'

The board joins each stack's Pulumi.<stack>.yaml git history with \`pulumi stack history\`, as
\`pinstack history\` does: the pin matrix (with holds and the pins no earlier stage ran), a
timeline per service, every update per stack, and the lead time of each production release.
The page needs no server or network: open index.html from disk or publish the directory.
Without --html or --json it prints where things stand in one line per stack.
Exit 2: bad --since/--until, not a git repository, a directory that cannot be written.`,
        )
        .action(async (options: { html?: string; json?: boolean; since?: string; until?: string }, command: Command) => {
            const { loadAllStacks, stackFilePath } = await import("../../lib/config");
            const { PinstackError } = await import("../../lib/errors");
            const { buildHistory, fileVersions } = await import("../../lib/history");
            const { stackHistory } = await import("../../lib/pulumi-cli");
            const report = await import("../../lib/report");
            const dir: string = command.optsWithGlobals().dir;
            const since = report.parseTimeOption("--since", options.since);
            const until = report.parseTimeOption("--until", options.until);
            const sources = loadAllStacks(dir).map((config) => {
                const versions = fileVersions(stackFilePath(dir, config.stack));
                try {
                    return { config, history: buildHistory(versions, stackHistory(config.stack, { cwd: dir })), warning: null };
                } catch (err) {
                    if (!(err instanceof PinstackError)) throw err;
                    process.stderr.write(`warning: ${config.stack}: ${err.message}; the board shows its file changes without Pulumi updates\n`);
                    return { config, history: buildHistory(versions, []), warning: err.message };
                }
            });
            const board = report.buildBoard(sources, { now: new Date(), since, until });
            if (options.html) {
                const page = report.writeBoardSite(options.html, board);
                if (!options.json) process.stdout.write(`wrote ${page} (${board.matrix.length} rows, ${board.events.length} events, ${board.updates.length} updates)\n`);
            }
            if (options.json) {
                process.stdout.write(report.boardJsonLines(board));
                return;
            }
            if (!options.html) {
                for (const stack of board.stacks) {
                    const latest = board.updates.find((u) => u.stack === stack.name);
                    const line = `${stack.name}: ${latest ? `last update ${latest.version} ${latest.result} at ${latest.endTime ?? latest.startTime}` : "no Pulumi updates"}${stack.hold ? ", on hold" : ""}`;
                    process.stdout.write(`${line}\n`);
                }
            }
        });
}
