import { Command } from "commander";
import { colorEnabled, formatViolation, painter, shortDigest } from "../lib/format";
import type { PinView } from "../lib/format";
import type { Violation } from "../lib/model";
import { currentActor, Environment, PinMove } from "../lib/promote";
import { stackHistory } from "../lib/pulumi-cli";

/** Shared by promote, rollback and hold: the environment they run in, and how their changes are shown. */

export function environmentFor(command: Command): Environment {
    const dir: string = command.optsWithGlobals().dir;
    return {
        dir,
        now: new Date(),
        by: currentActor(dir),
        history: (stack) => stackHistory(stack, { cwd: dir }),
    };
}

export function pinText(pin: PinView | null): string {
    if (!pin) return "(none)";
    if (pin.version !== undefined) return pin.version;
    const tag = pin.tag ?? "(no tag)";
    return pin.digest ? `${tag}@${shortDigest(pin.digest)}` : tag;
}

/** `  service backend  2023.04.2@sha256:4c1b1b2f0a6f -> 2023.05.1@sha256:...  (note)` */
export function moveLines(moves: readonly PinMove[], note: (move: PinMove) => string = () => ""): string {
    const width = Math.max(...moves.map((m) => `${m.kind} ${m.name}`.length));
    return moves
        .map((m) => {
            const extra = note(m);
            return `  ${`${m.kind} ${m.name}`.padEnd(width)}  ${pinText(m.before)} -> ${pinText(m.after)}${extra ? `  (${extra})` : ""}\n`;
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
