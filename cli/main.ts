import { Command, CommanderError } from "commander";
import * as fs from "fs";
import * as path from "path";
import { recoverInterruptedWrite } from "../lib/config/journal";
import { errorText, ExitCode, PinstackError } from "../lib/errors";
import { usePresets } from "../lib/presets";
import { presets } from "../stacks";
import { commandNamed, commands } from "./commands";

/**
 * Builds the `pinstack` program; exported so tests can run it in-process too. Given the
 * arguments, only the command they name is loaded (see commands/index.ts).
 */
export function buildProgram(argv?: readonly string[]): Command {
    usePresets(presets);
    const program = new Command("pinstack")
        .description("Release promotion as reviewed Pulumi stack config: pins, rules, history.")
        .version(packageVersion())
        .option("-C, --dir <path>", "project directory holding Pulumi.<stack>.yaml", process.cwd())
        .showHelpAfterError()
        .exitOverride()
        // Before any command reads the stack files: a write a killed pinstack left half done is
        // completed or undone first (lib/config/journal.ts), so no command sees a torn pair.
        .hook("preAction", () => recoverInterruptedWrites(program.opts().dir));
    const only = argv ? commandNamed(argv) : undefined;
    // `pinstack --version` needs no command at all.
    const versionOnly = only === undefined && argv !== undefined && argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V");
    for (const [name, load] of commands) {
        if (!versionOnly && (only === undefined || name === only)) load()(program);
    }
    return program;
}

/** Runs the command line; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
    quietOnClosedPipes();
    const program = buildProgram(argv);
    try {
        await program.parseAsync([...argv], { from: "user" });
        return typeof process.exitCode === "number" ? process.exitCode : ExitCode.ok;
    } catch (err) {
        return reportError(err);
    }
}

function recoverInterruptedWrites(dir: string): void {
    const recovery = recoverInterruptedWrite(path.resolve(dir));
    if (recovery) process.stderr.write(`${recovery.message}\n`);
}

/** Works from the sources (cli/) and from the compiled tree (dist/cli/). */
function packageVersion(): string {
    for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
        const file = path.join(dir, "package.json");
        if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, "utf8")).version;
    }
    return "0.0.0";
}

/**
 * `pinstack ci --help | head`: the reader is gone, so the rest of the output has nowhere to go.
 * That is not an error of the command: the output is dropped, the command ends with its own
 * exit code, and nothing is printed (Node would otherwise die on the unhandled EPIPE with a
 * stack trace).
 */
function quietOnClosedPipes(): void {
    for (const stream of [process.stdout, process.stderr]) {
        if (stream.listenerCount("error") > 0) continue;
        let closed = false;
        stream.on("error", (err: NodeJS.ErrnoException) => {
            if (closed || err.code === "EPIPE" || err.code === "ERR_STREAM_DESTROYED") {
                closed = true;
                return;
            }
            throw err;
        });
    }
}

function reportError(err: unknown): number {
    if (err instanceof CommanderError) {
        // --help and --version end through here with exit code 0.
        return err.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
    }
    if (err instanceof PinstackError) {
        process.stderr.write(`error: ${errorText(err)}\n`);
        return err.exitCode;
    }
    process.stderr.write(`internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.stderr.write("  this is a bug in pinstack, not a problem with your files: please report it with the output above\n");
    return ExitCode.internal;
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => {
        process.exitCode = code;
    });
}
