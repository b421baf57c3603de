import { Command } from "commander";
import { badInput } from "../../lib/errors";
import { jsonLine } from "../../lib/format";
import { applyChanges, planRollback } from "../../lib/promote";
import { environmentFor, moveLines, paintDiff, writeWarnings } from "../promotion-output";

/** `pinstack rollback <stack> [--to N] --reason T [--dry-run] [--json]`: restore an earlier good update's pins and hold the stack. */
export function register(program: Command): void {
    program
        .command("rollback")
        .description("restore the pins of the last good update (or --to N) as a new config change, and set hold")
        .argument("<stack>", "the stack to roll back, e.g. production")
        .option("--to <update>", "the update to restore (number from pinstack history / pulumi stack history)")
        .requiredOption("--reason <text>", "why: recorded in the provenance, holdReason and pinstack:lastChange")
        .option("--dry-run", "show the change, write nothing")
        .option("--json", "one JSON object per pin restored, then one {hold, update} line")
        .addHelpText(
            "after",
            `
Examples:
  $ pinstack rollback production --reason "500s after 2023.06.2 (#940)"
  $ pinstack rollback production --to 12 --reason "back to the May release"

Without --to, the newest successful update whose pins differ from the file's is restored.
Rollback is always allowed, also on hold. It sets pinstack:hold so no promotion overwrites it;
lift it with: pinstack hold <stack> --clear --reason "...". Deploy with pulumi up -s <stack>.
Exit 2: unknown stack or update number; exit 1: nothing earlier to roll back to.`,
        )
        .action((stack: string, options: { to?: string; reason: string; dryRun?: boolean; json?: boolean }, command: Command) => {
            let to: number | undefined;
            if (options.to !== undefined) {
                if (!/^[1-9]\d*$/.test(options.to)) throw badInput(`--to ${options.to} is not an update number`, { fix: `pinstack history ${stack} lists the updates` });
                to = Number(options.to);
            }
            const plan = planRollback({ stack, to, reason: options.reason }, environmentFor(command));
            if (!options.dryRun) applyChanges([plan.edit]);
            writeWarnings(plan.warnings.filter((w) => w.rule !== "hold"));
            if (options.json) {
                const written = !options.dryRun;
                process.stdout.write(plan.moves.map((m) => jsonLine({ kind: m.kind, name: m.name, change: m.change, stack: plan.stack, update: plan.update.version, before: m.before, after: m.after, provenance: m.provenance, written })).join(""));
                process.stdout.write(jsonLine({ stack: plan.stack, hold: true, update: plan.update.version, skipped: plan.skipped, written }));
                return;
            }
            process.stdout.write(`rollback ${plan.stack} to update ${plan.update.version} (${plan.update.startTime}${plan.update.message ? `, "${plan.update.message}"` : ""})${options.dryRun ? " (dry run: nothing written)" : ""}\n`);
            process.stdout.write(plan.moves.length ? moveLines(plan.moves) : "  the pins already match that update\n");
            for (const skipped of plan.skipped) process.stdout.write(`  left as it is: ${skipped}\n`);
            process.stdout.write(`  ${plan.stack} is now on hold: only rollbacks pass until \`pinstack hold ${plan.stack} --clear --reason "..."\`\n`);
            process.stdout.write(`\n${paintDiff(plan.edit.diff)}`);
            if (!options.dryRun) process.stdout.write(`\nwrote ${require("path").basename(plan.edit.file)}: commit, and deploy with \`pulumi up -s ${plan.stack}\`\n`);
        });
}
