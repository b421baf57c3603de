import { Command } from "commander";
import * as fs from "fs";
import * as path from "path";
import { readTextOrNull, writeFileAtomically } from "../../lib/config/atomic";
import { STACK_FILE_LIMIT } from "../../lib/config/limits";
import { badInput } from "../../lib/errors";
import { jsonLine } from "../../lib/format";
import { formatOf, isoDate, parseDateOption, releaseChangelog } from "../../lib/release";

const DEFAULT_FILES = ["CHANGES.rst", "CHANGELOG.md", "CHANGELOG.rst", "CHANGES.md"];

/**
 * `pinstack changelog release <version> [--file F] [--date D] [--next V] [--dry-run] [--json]`:
 * GWCelery's release step on the change log, written atomically.
 */
export function register(program: Command): void {
    const changelog = program.command("changelog").description("change log steps of a release (GWCelery's CHANGES.rst flow)");
    changelog
        .command("release")
        .description("date the 'X.Y.Z (unreleased)' section and open the next one with 'No changes yet'")
        .argument("<version>", "the version being released; must be the unreleased section's")
        .option("--file <path>", `the change log (default: the first of ${DEFAULT_FILES.join(", ")} in the project directory)`)
        .option("--date <YYYY-MM-DD>", "release date (default: today, UTC)")
        .option("--next <version>", "provisional version of the new section (default: the next patch)")
        .option("--dry-run", "print what would change, write nothing")
        .option("--json", "print {file, version, date, next, line} as one JSON line")
        .addHelpText(
            "after",
            `
Examples:
  $ pinstack changelog release 2.1.3
  $ pinstack changelog release 2.1.3 --file docs/CHANGELOG.md --date 2023-06-30 --next 2.2.0

Before:                      After:
  2.1.3 (unreleased)           2.1.4 (unreleased)
  ------------------           ------------------
  -   Fix the thing.           -   No changes yet
                               2.1.3 (2023-06-30)
                               ------------------
                               -   Fix the thing.

Refuses (exit 1, nothing written) when the first section is not '<version> (unreleased)'
or lists no changes. Exit 2: no change log file, or a version or date that is not one.
Then: git commit -m "Update changelog for version <version>", git tag v<version>.`,
        )
        .action((version: string, options: { file?: string; date?: string; next?: string; dryRun?: boolean; json?: boolean }, command: Command) => {
            const dir: string = command.optsWithGlobals().dir;
            const file = options.file !== undefined ? path.resolve(dir, options.file) : DEFAULT_FILES.map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
            if (!file) throw badInput(`no change log in ${dir}`, { fix: `create ${DEFAULT_FILES[0]} (or pass --file <path>)` });
            const text = readTextOrNull(file, { bytes: STACK_FILE_LIMIT, what: "change log" });
            if (text === null) throw badInput(`${file}: no such change log`, { fix: "check the path given to --file" });
            const date = isoDate(options.date !== undefined ? parseDateOption(options.date) : new Date());
            const shown = path.relative(process.cwd(), file) || file;
            const result = releaseChangelog(text, formatOf(file), { version, date, next: options.next }, shown);
            if (!options.dryRun) writeFileAtomically({ file, expected: text, text: result.text });
            if (options.json) {
                process.stdout.write(jsonLine({ file: shown, version: result.version, date: result.date, next: result.next, line: result.line, written: !options.dryRun }));
                return;
            }
            process.stdout.write(
                `${shown}: ${result.version} (unreleased) -> ${result.version} (${result.date}); opened ${result.next} (unreleased)${options.dryRun ? " [dry run: nothing written]" : ""}\n`,
            );
        });
}
