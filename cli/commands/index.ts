import type { Command } from "commander";

/** Each command lives in its own module and registers itself on the program. */
export type Register = (program: Command) => void;

/**
 * Every command by name, loaded on demand: a run loads only the module of the command it
 * names (and what that module imports), not all fourteen — start-up is part of every CI step.
 * Keep this list in the order `pinstack --help` should show them.
 */
export const commands: ReadonlyArray<readonly [name: string, load: () => Register]> = [
    ["status", () => require("./status").register],
    ["diff", () => require("./diff").register],
    ["check", () => require("./check").register],
    ["verify-image", () => require("./verify-image").register],
    ["promote", () => require("./promote").register],
    ["rollback", () => require("./rollback").register],
    ["hold", () => require("./hold").register],
    ["freeze", () => require("./freeze").register],
    ["history", () => require("./history").register],
    ["report", () => require("./report").register],
    ["bump", () => require("./bump").register],
    ["changelog", () => require("./changelog").register],
    ["notes", () => require("./notes").register],
    ["ci", () => require("./ci").register],
];

/**
 * The command an argument list names: the first word that is neither an option nor the value
 * of the global `-C/--dir`. Undefined for `--help`, `--version`, `help ...` or a typo, which
 * need every command registered (for the list and for suggestions).
 */
export function commandNamed(argv: readonly string[]): string | undefined {
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--") return undefined;
        if (arg === "-C" || arg === "--dir") {
            i++;
            continue;
        }
        if (arg.startsWith("-")) continue;
        return commands.some(([name]) => name === arg) ? arg : undefined;
    }
    return undefined;
}
