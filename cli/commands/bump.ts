import { Command, Option } from "commander";
import { badInput } from "../../lib/errors";
import { jsonLine } from "../../lib/format";
import { autoPart, BumpPart, bumpParts, BumpScheme, bumpSchemes, bumpVersion, latestVersionTag, parseDateOption } from "../../lib/release";

/**
 * `pinstack bump <part> [version] [--scheme S] [--date D] [--json]`: the next release version.
 * Prints it; writes no file (the version goes into a tag, a changelog or a pin next).
 */
export function register(program: Command): void {
    program
        .command("bump")
        .description("print the next release version: major/minor/patch, rc, final, calver, or auto (METASPACE's rule)")
        .argument("<part>", `${bumpParts.join(" | ")} | auto`)
        .argument("[version]", "the current version; default: the newest version tag reachable from HEAD")
        .addOption(new Option("--scheme <scheme>", "version scheme of <version> (detected when absent)").choices([...bumpSchemes]))
        .option("--date <YYYY-MM-DD>", "the date calver counts from (default: today, UTC)")
        .option("--milestone", "auto: the release contains a milestone feature (bumps minor)")
        .option("--breaking", "auto: the release breaks the API (bumps minor)")
        .option("--json", "print {from, to, part, scheme} as one JSON line")
        .addHelpText(
            "after",
            `
Examples:
  $ pinstack bump patch 1.7.5                 # 1.7.6
  $ pinstack bump auto 1.7.5 --milestone      # 1.8.0 (METASPACE: milestone or breaking -> minor, else patch)
  $ pinstack bump rc 10.8.4                   # 10.8.5rc1 (UKRDC)
  $ pinstack bump rc 10.8.5rc1                # 10.8.5rc2
  $ pinstack bump final 10.8.5rc2             # 10.8.5
  $ pinstack bump calver 2023.06.1 --date 2023-07-03   # 2023.07.1 (Fragalysis; same month -> 2023.06.2)

Exit codes: 0 printed, 2 the version (or part, scheme, date) is not valid.`,
        )
        .action((partArg: string, version: string | undefined, options: { scheme?: BumpScheme; date?: string; milestone?: boolean; breaking?: boolean; json?: boolean }, command: Command) => {
            const dir: string = command.optsWithGlobals().dir;
            if (partArg !== "auto" && !(bumpParts as readonly string[]).includes(partArg)) {
                throw badInput(`unknown part '${partArg}'`, { fix: `use one of ${bumpParts.join(", ")}, auto` });
            }
            if ((options.milestone || options.breaking) && partArg !== "auto") {
                throw badInput("--milestone and --breaking go with the part auto", { fix: `pinstack bump auto ${version ?? ""}`.trim() });
            }
            const part: BumpPart = partArg === "auto" ? autoPart(options) : (partArg as BumpPart);
            let scheme = options.scheme;
            let current = version;
            if (current === undefined) {
                const latest = latestVersionTag(dir, scheme ?? (part === "calver" ? "calver" : undefined));
                current = latest.tag;
                scheme = scheme ?? latest.scheme;
            }
            const now = options.date !== undefined ? parseDateOption(options.date) : new Date();
            const result = bumpVersion(current, part, { scheme, now });
            process.stdout.write(options.json ? jsonLine(result) : `${result.to}\n`);
        });
}
