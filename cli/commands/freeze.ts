import { Command } from "commander";
import { writeFileAtomically } from "../../lib/config/write";
import { currentTime } from "../../lib/freeze";
import { jsonLine } from "../../lib/format";
import { currentActor, planFreeze } from "../../lib/promote";
import { paintDiff } from "../promotion-output";

/** `pinstack freeze <stack> --reason T [--until TIME]` / `pinstack freeze <stack> --clear --reason T`. */
export function register(program: Command): void {
    program
        .command("freeze")
        .description("freeze a stack now (only rollbacks pass until --until or --clear), or lift the freeze with --clear")
        .argument("<stack>", "the stack, e.g. production")
        .option("--clear", "lift the ad-hoc freeze (declared windows stay)")
        .requiredOption("--reason <text>", "why: recorded in pinstack:freeze.active / pinstack:lastChange")
        .option("--until <time>", "when the freeze ends by itself, ISO time with a zone, e.g. 2026-12-21T08:00:00Z")
        .option("--now <time>", "judge at this time instead of the clock (also $PINSTACK_NOW)")
        .option("--dry-run", "show the change, write nothing")
        .option("--json", "print {stack, frozen, until, changed, written} as one JSON line")
        .addHelpText(
            "after",
            `
Examples:
  $ pinstack freeze production --reason "incident #951: payments degraded" --until 2026-12-08T18:00:00Z
  $ pinstack freeze production --clear --reason "incident #951 resolved"

Recurring windows are declared in the stack file (pinstack:freeze.windows, docs/freeze.md).
Exit 2: unknown stack, empty reason, --until not an ISO time or not in the future.`,
        )
        .action((stack: string, options: { clear?: boolean; reason: string; until?: string; now?: string; dryRun?: boolean; json?: boolean }, command: Command) => {
            const dir: string = command.optsWithGlobals().dir;
            const now = currentTime(options.now);
            const plan = planFreeze({ stack, clear: options.clear === true, reason: options.reason, until: options.until }, { dir, now, by: currentActor(dir) });
            const changed = plan.edit !== undefined;
            if (plan.edit && !options.dryRun) writeFileAtomically(plan.edit);
            if (options.json) {
                process.stdout.write(jsonLine({ stack: plan.stack, frozen: plan.freeze !== undefined, until: plan.freeze?.until ?? null, changed, written: changed && !options.dryRun }));
                return;
            }
            if (!plan.edit) {
                process.stdout.write(`${plan.stack} has no ad-hoc freeze; nothing written\n`);
                return;
            }
            const what = plan.freeze ? `frozen ${plan.freeze.until ? `until ${plan.freeze.until}` : "until cleared"}` : "ad-hoc freeze lifted";
            process.stdout.write(`${plan.stack}: ${what}${options.dryRun ? " (dry run: nothing written)" : ""}\n\n${paintDiff(plan.edit.diff)}`);
        });
}
