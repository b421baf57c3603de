import { Command } from "commander";
import { writeFileAtomically } from "../../lib/config/write";
import { currentTime } from "../../lib/freeze";
import { jsonLine } from "../../lib/format";
import { currentActor, planHold } from "../../lib/promote";
import { paintDiff } from "../promotion-output";

/** `pinstack hold <stack> --reason T` / `pinstack hold <stack> --clear --reason T`. */
export function register(program: Command): void {
    program
        .command("hold")
        .description("put a stack on hold (only rollbacks pass), or lift the hold with --clear")
        .argument("<stack>", "the stack, e.g. production")
        .option("--clear", "lift the hold")
        .requiredOption("--reason <text>", "why: recorded in pinstack:holdReason / pinstack:lastChange")
        .option("--dry-run", "show the change, write nothing")
        .option("--json", "print {stack, hold, changed, written} as one JSON line")
        .addHelpText(
            "after",
            `
Examples:
  $ pinstack hold production --reason "incident #940: freeze while we investigate"
  $ pinstack hold production --clear --reason "incident #940 resolved"

Rollback sets the hold itself. Exit 2: unknown stack.`,
        )
        .action((stack: string, options: { clear?: boolean; reason: string; dryRun?: boolean; json?: boolean }, command: Command) => {
            const dir: string = command.optsWithGlobals().dir;
            const plan = planHold({ stack, clear: options.clear === true, reason: options.reason }, { dir, now: currentTime(undefined), by: currentActor(dir) });
            const changed = plan.edit !== undefined;
            if (plan.edit && !options.dryRun) writeFileAtomically(plan.edit);
            if (options.json) {
                process.stdout.write(jsonLine({ stack: plan.stack, hold: plan.hold, changed, written: changed && !options.dryRun }));
                return;
            }
            if (!plan.edit) {
                process.stdout.write(plan.hold ? `${plan.stack} is already on hold${plan.previousReason ? ` (${plan.previousReason})` : ""}; nothing written\n` : `${plan.stack} is not on hold; nothing written\n`);
                return;
            }
            process.stdout.write(`${plan.stack}: hold ${plan.hold ? "set" : "lifted"}${options.dryRun ? " (dry run: nothing written)" : ""}\n\n${paintDiff(plan.edit.diff)}`);
        });
}
