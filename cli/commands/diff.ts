import { Command } from "commander";
import { badInput } from "../../lib/errors";
import type { painter as Painter, PinComparison } from "../../lib/format";
import type { RuleId, StackConfig, Violation } from "../../lib/model";
// The libraries load inside the action, so other commands do not pay for them at start-up.

/** `pinstack diff <from> <to> [--json]`: what promoting <from> to <to> would change. Writes no file. */
export function register(program: Command): void {
    program
        .command("diff")
        .description("show what promoting <from> to <to> would change in <to>'s pins")
        .argument("<from>", "source stack, e.g. staging")
        .argument("<to>", "target stack, e.g. production")
        .option("--json", "one JSON object per service / package: kind, name, change, current, proposed, direction, notes, containers (when any change)")
        .option("--all", "also list pins that would not change")
        .addHelpText(
            "after",
            `
Examples:
  $ pinstack diff staging production
  $ pinstack diff playground staging --json

change is update, add, unchanged or only-in-target (the target's pin stays); direction says
whether an update moves forward (upgrade) or back (downgrade) under the service's scheme;
a change to an init container or sidecar is an update too, named in NOTE (and in
containers with --json);
refusedBy lists the mandatory rules of <to> the promoted pin would break (provenance and
digests are left out: promote writes the one and resolves the other).`,
        )
        .action(async (fromName: string, toName: string, options: { json?: boolean; all?: boolean }, command: Command) => {
            const { loadStack, presetWithinFloor } = await import("../../lib/config");
            const { evaluateStack } = await import("../../lib/rules");
            const { colorEnabled, jsonLine, painter, promotionChanges, pinText, renderTable } = await import("../../lib/format");
            const dir: string = command.optsWithGlobals().dir;
            if (fromName === toName) throw badInput(`cannot diff ${fromName} with itself`, { fix: "name two different stacks, e.g. pinstack diff staging production" });
            const from = loadStack(dir, fromName);
            const to = loadStack(dir, toName);
            // What promote would judge by: refused here as there when <to> loosens its floor.
            const preset = presetWithinFloor(dir, to);
            const refusals = previewRefusals(from, to, (config) => evaluateStack(config, preset));
            const changes = promotionChanges(from, to, { targetRequiresDigest: preset.requireDigest }).map((c) => ({
                ...c,
                refusedBy: c.change === "update" || c.change === "add" ? (refusals.get(`${c.kind}:${c.name}`) ?? []) : [],
            }));
            if (options.json) {
                // The documented --json names the two pins current and proposed (the target's now, and after promotion).
                process.stdout.write(changes.map(({ kind, name, change, before, after, ...rest }) => jsonLine({ kind, name, change, current: before, proposed: after, ...rest })).join(""));
                return;
            }
            const paint = painter(colorEnabled());
            const shown = options.all ? changes : changes.filter((c) => c.change !== "unchanged");
            const updates = changes.filter((c) => c.change === "update" || c.change === "add").length;
            if (shown.length === 0) {
                process.stdout.write(`${to.stack} already runs every pin of ${from.stack}; nothing to promote\n`);
                return;
            }
            const table = {
                headers: ["KIND", "NAME", `${to.stack.toUpperCase()} NOW`, "", `AFTER (FROM ${from.stack.toUpperCase()})`, "NOTE"],
                rows: shown.map((c) => [c.kind, c.name, pinText(c.before), c.change === "unchanged" || c.change === "only-in-target" ? "" : "->", pinText(c.after), note(c, paint)]),
            };
            process.stdout.write(renderTable(table));
            process.stdout.write(`\n${updates} change${updates === 1 ? "" : "s"} promoting ${from.stack} -> ${to.stack}${to.hold ? paint("yellow", ` (${to.stack} is on hold: only rollbacks pass)`) : ""}\n`);
        });
}

/**
 * The mandatory rules of <to> each promoted pin would break, by `kind:name`: <to>'s config
 * with <from>'s pins in it, through the same rules as `check`. Provenance, digests and hold
 * are left out: promote writes the provenance, resolves digests and refuses on hold itself.
 */
function previewRefusals(from: StackConfig, to: StackConfig, evaluate: (config: StackConfig) => readonly Violation[]): Map<string, RuleId[]> {
    const promoted: StackConfig = {
        ...to,
        services: [...from.services, ...to.services.filter((s) => !from.services.some((f) => f.name === s.name))],
        packages: [...from.packages, ...to.packages.filter((p) => !from.packages.some((f) => f.name === p.name))],
    };
    const byPin = new Map<string, RuleId[]>();
    for (const v of evaluate(promoted)) {
        if (v.level !== "mandatory" || v.rule === "provenance" || v.rule === "digest-required" || v.rule === "hold" || !v.subject) continue;
        const kind = v.location?.key.startsWith("pinstack:packages.") ? "package" : "service";
        const key = `${kind}:${v.subject}`;
        const rules = byPin.get(key) ?? [];
        if (!rules.includes(v.rule)) rules.push(v.rule);
        byPin.set(key, rules);
    }
    return byPin;
}

function note(change: PinComparison & { refusedBy: readonly RuleId[] }, paint: ReturnType<typeof Painter>): string {
    const parts: string[] = [];
    if (change.refusedBy.length) parts.push(paint("red", `refused by ${change.refusedBy.join(", ")}`));
    if (change.change === "add") parts.push(paint("green", "new"));
    if (change.change === "only-in-target") parts.push("stays");
    if (change.direction === "downgrade") parts.push(paint("red", "downgrade"));
    parts.push(...(change.containers ?? []));
    parts.push(...change.notes.filter((n) => !n.includes("promote leaves it")));
    return parts.join("; ");
}
