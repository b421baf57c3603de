import { Command } from "commander";
import { colorEnabled, formatViolation, painter, pinText } from "../lib/format";
import type { Violation } from "../lib/model";
import { currentActor, Environment, PinMove } from "../lib/promote";
import { stackHistory } from "../lib/pulumi-cli";
import { currentTime } from "../lib/freeze";

/** Shared by promote, rollback and hold: the environment they run in, and how their changes are shown. */

export function environmentFor(command: Command): Environment {
    const dir: string = command.optsWithGlobals().dir;
    return {
        dir,
        now: currentTime(command.opts().now),
        by: currentActor(dir),
        history: (stack) => stackHistory(stack, { cwd: dir }),
    };
}

/**
 * `  service backend  2023.04.2@sha256:4c1b1b2f0a6f -> 2023.05.1@sha256:...  (note)`, then one
 * indented line per init container or sidecar the move changes.
 */
export function moveLines(moves: readonly PinMove[], note: (move: PinMove) => string = () => ""): string {
    const width = Math.max(...moves.map((m) => `${m.kind} ${m.name}`.length));
    return moves
        .map((m) => {
            const extra = note(m);
            const containers = (m.containers ?? []).map((line) => `      ${line}\n`).join("");
            return `  ${`${m.kind} ${m.name}`.padEnd(width)}  ${pinText(m.before, "(none)")} -> ${pinText(m.after, "(none)")}${extra ? `  (${extra})` : ""}\n${containers}`;
        })
        .join("");
}

/** The unified diff, coloured on a TTY. */
export function paintDiff(diff: string): string {
    const paint = painter(colorEnabled());
    return diff
        .split("\n")
        .map((line) => (line.startsWith("+++") || line.startsWith("---") ? paint("bold", line) : line.startsWith("@@") ? paint("cyan", line) : line.startsWith("+") ? paint("green", line) : line.startsWith("-") ? paint("red", line) : line))
        .join("\n");
}

export function writeWarnings(warnings: readonly Violation[]): void {
    const paint = painter(colorEnabled(process.stderr));
    for (const warning of warnings) process.stderr.write(`${formatViolation(warning, paint)}\n`);
}
