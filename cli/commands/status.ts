import { Command } from "commander";
import type { MatrixRow, painter as Painter, PinView } from "../../lib/format";
// The libraries load inside the action, so other commands do not pay for them at start-up.

/** `pinstack status [--json]`: the pin matrix, one row per service and package, one column per stack. Writes no file. */
export function register(program: Command): void {
    program
        .command("status")
        .description("show what runs where: a row per service and package, a column per stack, drift marked")
        .option("--json", "one JSON object per row: kind, name, stacks {stack: pin|null}, drift, missing, tagMoved")
        .addHelpText(
            "after",
            `
Examples:
  $ pinstack status
  $ pinstack -C examples/fragalysis status --json

A row drifts when the stacks do not all run the same pin (expected while a release moves
through); "tag moved" means one image:tag has different digests on two stacks.`,
        )
        .action(async (options: { json?: boolean }, command: Command) => {
            const { loadAllStacks } = await import("../../lib/config");
            const { colorEnabled, jsonLine, painter, pinMatrix, renderTable, shortDigest } = await import("../../lib/format");
            const dir: string = command.optsWithGlobals().dir;
            const stacks = loadAllStacks(dir);
            const rows = pinMatrix(stacks);
            if (options.json) {
                process.stdout.write(rows.map((row) => jsonLine(row)).join(""));
                return;
            }
            const paint = painter(colorEnabled());
            const names = stacks.map((s) => s.stack);
            const table = {
                headers: ["KIND", "NAME", ...names.map((n) => n.toUpperCase()), "STATE"],
                rows: rows.map((row) => [row.kind, row.name, ...names.map((n) => cell(row.stacks[n], shortDigest)), state(row, paint)]),
            };
            process.stdout.write(renderTable(table));
        });
}

function cell(pin: PinView | null | undefined, shortDigest: (digest: string) => string): string {
    if (!pin) return "-";
    if (pin.version !== undefined) return pin.version;
    const tag = pin.tag ?? "(no tag)";
    return pin.digest ? `${tag}@${shortDigest(pin.digest)}` : tag;
}

function state(row: MatrixRow, paint: ReturnType<typeof Painter>): string {
    const parts: string[] = [];
    if (row.tagMoved) parts.push(paint("red", "tag moved"));
    if (row.missing.length) parts.push(paint("yellow", `missing on ${row.missing.join(", ")}`));
    if (row.drift && !row.missing.length) parts.push(paint("yellow", "drift"));
    return parts.length ? parts.join(", ") : paint("green", "in sync");
}
