import type { Command } from "commander";

/**
 * Each command lives in its own module and registers itself on the program.
 * Keep this list in the order `pinstack --help` should show them.
 */
export type Register = (program: Command) => void;

export const commands: readonly Register[] = [
];
