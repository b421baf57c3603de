import { Command } from "commander";
import type { MatrixRow, painter as Painter } from "../../lib/format";
// The libraries load inside the action, so other commands do not pay for them at start-up.

/** `pinstack status [--json]`: the pin matrix, one row per service and package, one column per stack. Writes no file. */
export function register(program: Command): void {
    program
        .command("status")
        .description("show what runs where: a row per service and package, a column per stack, drift marked")
        .option("--json", "one JSON object per row: kind, name, stacks {stack: pin|null}, drift, containersDiffer, missing, tagMoved; then kind freeze per frozen stack")
        .option("--now <time>", "judge freezes at this time instead of the clock (also $PINSTACK_NOW)")
        .option("--live", "also read each cluster stack's Deployments (kubectl) and mark containers that run something the stack file does not pin; exit 1 when one does")
        .addHelpText(
            "after",
            `
Examples:
  $ pinstack status
  $ pinstack -C examples/fragalysis status --json
  $ pinstack status --live


A row drifts when the stacks do not all run the same pin (expected while a release moves
through); "containers differ" that a service's init containers or sidecars are not the same
on every stack; "tag moved" means one image:tag has different digests on two stacks.

--live compares the cluster with the stack files, for every stack that deploys to one
(pinstack:kubeconfig, or the ambient kubeconfig; stacks with pinstack:renderDir are left
out): "drift" is a container running another image than its pin (kubectl set image),
"unpinned" one the stack file does not have, "missing" a Deployment or container not in the
cluster (not deployed yet). JSON rows have kind "live".`,
        )
        .action(async (options: { json?: boolean; live?: boolean; now?: string }, command: Command) => {
            const { loadAllStacks } = await import("../../lib/config");
            const { currentTime, describeFreeze, stackFreeze } = await import("../../lib/freeze");
            const now = currentTime(options.now);
            const { colorEnabled, jsonLine, painter, pinMatrix, pinText, renderTable, shortDigest } = await import("../../lib/format");
            const dir: string = command.optsWithGlobals().dir;
            const stacks = loadAllStacks(dir);
            const rows = pinMatrix(stacks);
            const frozen = stacks.flatMap((config) => {
                const freeze = stackFreeze(config, now);
                return freeze ? [{ stack: config.stack, freeze }] : [];
            });
            const live = options.live ? await liveFindings(stacks, dir) : undefined;
            if (options.json) {
                process.stdout.write(rows.map((row) => jsonLine(row)).join(""));
                process.stdout.write(
                    frozen
                        .map(({ stack, freeze }) =>
                            jsonLine({ kind: "freeze", stack, freeze: freeze.kind, name: freeze.name, by: freeze.by ?? null, reason: freeze.reason ?? null, since: freeze.since.toISOString(), until: freeze.until?.toISOString() ?? null }),
                        )
                        .join(""),
                );
                if (live) process.stdout.write(live.findings.map((f) => jsonLine({ kind: "live", ...f })).join(""));
            } else {
                const paint = painter(colorEnabled());
                const names = stacks.map((s) => s.stack);
                const table = {
                    headers: ["KIND", "NAME", ...names.map((n) => n.toUpperCase()), "STATE"],
                    rows: rows.map((row) => [row.kind, row.name, ...names.map((n) => pinText(row.stacks[n])), state(row, paint)]),
                };
                process.stdout.write(renderTable(table));
                for (const { stack, freeze } of frozen) process.stdout.write(`${paint("yellow", `${stack} is frozen`)}: ${describeFreeze(freeze)}\n`);
                if (live) process.stdout.write(liveReport(live, paint, { renderTable, shortDigest }));
            }
            if (live?.findings.some((f) => f.state === "drift" || f.state === "unpinned")) process.exitCode = 1;
        });
}

type Findings = { findings: import("../../lib/live").LiveFinding[]; rendered: string[] };

async function liveFindings(stacks: readonly import("../../lib/model").StackConfig[], dir: string): Promise<Findings> {
    const { compareLive, readLiveDeployments } = await import("../../lib/live");
    const findings: Findings["findings"] = [];
    const rendered: string[] = [];
    for (const stack of stacks) {
        if (stack.renderDir) rendered.push(stack.stack);
        else findings.push(...compareLive(stack, readLiveDeployments(stack, { dir })));
    }
    return { findings, rendered };
}

/** A reference with its digest cut as the matrix shows digests (shortDigest); `-` for none. */
function short(ref: string | null, shortDigest: (digest: string) => string): string {
    if (ref === null) return "-";
    const at = ref.lastIndexOf("@");
    return at < 0 ? ref : `${ref.slice(0, at)}@${shortDigest(ref.slice(at + 1))}`;
}

function liveReport(live: Findings, paint: ReturnType<typeof Painter>, format: Pick<typeof import("../../lib/format"), "renderTable" | "shortDigest">): string {
    const shown = live.findings.filter((f) => f.state !== "matches");
    const stacks = [...new Set(live.findings.map((f) => f.stack))];
    const lines = ["", "live (the cluster against the stack files):"];
    for (const stack of stacks) {
        const of = live.findings.filter((f) => f.stack === stack);
        const matching = of.filter((f) => f.state === "matches").length;
        lines.push(`  ${stack}: ${matching} of ${of.length} container(s) run their pin`);
    }
    for (const stack of live.rendered) lines.push(`  ${stack}: renders manifests, no cluster`);
    let text = `${lines.join("\n")}\n`;
    if (shown.length) {
        const colour = { drift: "red", unpinned: "red", missing: "yellow", matches: "green" } as const;
        text += `\n${format.renderTable({
            headers: ["STACK", "SERVICE", "DEPLOYMENT", "CONTAINER", "PINNED", "LIVE", "STATE"],
            rows: shown.map((f) => [f.stack, f.service, f.deployment, f.container, short(f.pinned, format.shortDigest), short(f.live, format.shortDigest), paint(colour[f.state], f.state)]),
        })}`;
    }
    return text;
}

/** The main images differ (the cells show it); containers are marked on their own. */
function mainDrift(row: MatrixRow): boolean {
    const cells = Object.values(row.stacks).map((pin) => JSON.stringify(pin));
    return cells.some((c) => c !== cells[0]);
}

function state(row: MatrixRow, paint: ReturnType<typeof Painter>): string {
    const parts: string[] = [];
    if (row.tagMoved) parts.push(paint("red", "tag moved"));
    if (row.missing.length) parts.push(paint("yellow", `missing on ${row.missing.join(", ")}`));
    if (row.drift && !row.missing.length && mainDrift(row)) parts.push(paint("yellow", "drift"));
    if (row.containersDiffer) parts.push(paint("yellow", "containers differ"));
    return parts.length ? parts.join(", ") : paint("green", "in sync");
}
