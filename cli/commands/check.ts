import { Command, Option } from "commander";
import { badInput, errorText, ExitCode } from "../../lib/errors";
import type { Gates, StackConfig, Violation } from "../../lib/model";
import type { LoadTestLabel } from "../../lib/rules";
import type { FrozenChange } from "../../lib/freeze";
// lib/config (yaml), lib/rules and lib/format load inside the action: `pinstack --help` and the
// other commands should not pay for them at start-up.

/** `pinstack check [--stack S] [--json]`: every rule over the stack files, no Pulumi CLI needed. Writes no file. */
export function register(program: Command): void {
    program
        .command("check")
        .description("run every rule over the stack files (exit 1 when a mandatory rule is broken)")
        .option("-s, --stack <stack>", "check only this stack")
        .option("--json", "one JSON object per line: each violation, then a summary per stack")
        .option("--gate <key=value>", "a runbook gate result from CI: loadTest=abort|skip|warn, loadTestPassed=true|false, acceptanceComplete=true|false", collect, [])
        .option("--commit-message <text>", "read Merino's [load test: abort|skip|warn] label from this commit message")
        .option("--gates <file>", "a gate result written by `pinstack ci release-branch|branch-tag|acceptance-checklist -o <file>` (repeatable)", collect, [])
        .addOption(new Option("--strict-gates", "missing gate results count as failures (the default with --gates: use at promotion time)"))
        .addOption(new Option("--no-strict-gates", "with --gates, let a missing gate result pass"))
        .option("--now <time>", "judge freezes at this time instead of the clock (also $PINSTACK_NOW)")
        .addHelpText(
            "after",
            `
Examples:
  $ pinstack check                      # all stacks, a report for people
  $ pinstack check --stack production --json
  $ pinstack check -s production --gate acceptanceComplete=true --strict-gates
  $ pinstack check -s production --gates acceptance.json --gates backend-tag.json

While a stack is frozen (docs/freeze.md), a pin promoted during the freeze that is neither a
rollback nor a --break-glass promotion is refused.

Exit codes: 0 no mandatory violation (warnings allowed), 1 a mandatory rule is broken or a frozen stack changed,
2 a stack file is missing, malformed or invalid (the message names file, line and key).`,
        )
        .action(async (options: { stack?: string; json?: boolean; gate: string[]; gates: string[]; commitMessage?: string; strictGates?: boolean; now?: string }, command: Command) => {
            const { loadAllStacks, loadStack, presetWithinFloor } = await import("../../lib/config");
            const { evaluateStack, isRefused, parseLoadTestLabel } = await import("../../lib/rules");
            const { checkReport, colorEnabled, jsonLine, painter, sortViolations } = await import("../../lib/format");
            const freezes = await import("../../lib/freeze");
            const dir: string = command.optsWithGlobals().dir;
            const now = freezes.currentTime(options.now);
            const { gatesWithResultFiles } = await import("../gate-files");
            const gates = gatesWithResultFiles(options.gates, parseGates(options.gate, options.commitMessage, parseLoadTestLabel));
            // Results handed in from CI mean promotion time: one that is missing refuses, unless told otherwise.
            const strictGates = options.strictGates ?? options.gates.length > 0;
            const stacks = options.stack ? [loadStack(dir, options.stack)] : loadAllStacks(dir);
            const { stackTrust } = await import("../../lib/signing");
            // Every stack's floor first: a file that loosens its own rules is refused before any
            // rule runs under the settings it asked for.
            const presets = stacks.map((config) => presetWithinFloor(dir, config));
            const results = stacks.map((config, i) => {
                // Signatures as promote recorded them, against the keys the stack trusts now (no registry is asked).
                const trust = stackTrust(config, presets[i], dir);
                return { config, violations: sortViolations(evaluateStack(config, presets[i], { gates, strictGates, ...(trust ? { trust } : {}) })), frozen: frozenState(config, now, freezes) };
            });
            const refusing = (violations: readonly Violation[]) => isRefused(violations);
            process.stdout.write(options.json ? renderJson(results, jsonLine, refusing) : checkReport(results, painter(colorEnabled())) + renderFrozen(results));
            if (results.some((r) => refusing(r.violations) || (r.frozen?.changes.length ?? 0) > 0)) process.exitCode = ExitCode.refused;
        });
}

function collect(value: string, previous: string[]): string[] {
    return [...previous, value];
}

/** Gate results from `--gate key=value` and `--commit-message`. Unknown keys or values are bad input. */
export function parseGates(pairs: readonly string[], commitMessage: string | undefined, parseLoadTestLabel: (message: string) => LoadTestLabel): Gates {
    const gates: { -readonly [K in keyof Gates]: Gates[K] } = {};
    if (commitMessage !== undefined) {
        const label = parseLoadTestLabel(commitMessage);
        if (label.kind === "malformed") {
            throw badInput(`--commit-message: ${label.problem}: ${label.label}`, {
                why: "a misspelt label must not read as no label: [load test: abort] would quietly become warn",
                fix: "write the label as [load test: abort], [load test: skip] or [load test: warn]",
            });
        }
        if (label.kind === "label") gates.loadTest = label.mode;
    }
    for (const pair of pairs) {
        const eq = pair.indexOf("=");
        const key = eq < 0 ? pair : pair.slice(0, eq);
        const value = eq < 0 ? "" : pair.slice(eq + 1);
        const bool = (v: string) => {
            if (v !== "true" && v !== "false") throw badInput(`--gate ${pair}: ${key} must be true or false`);
            return v === "true";
        };
        switch (key) {
            case "loadTest":
                if (value !== "abort" && value !== "skip" && value !== "warn") throw badInput(`--gate ${pair}: loadTest must be abort, skip or warn`);
                gates.loadTest = value;
                break;
            case "loadTestPassed":
                gates.loadTestPassed = bool(value);
                break;
            case "acceptanceComplete":
                gates.acceptanceComplete = bool(value);
                break;
            default:
                throw badInput(`--gate ${pair}: unknown gate '${key}'`, { fix: "use loadTest, loadTestPassed or acceptanceComplete" });
        }
    }
    return gates;
}

type Frozen = { description: string; name: string; until: string | null; changes: readonly FrozenChange[]; refusal: string };
type Result = { config: StackConfig; violations: Violation[]; frozen?: Frozen };

/** The stack's freeze at `now`, and the pins its file says changed during it (lib/freeze). */
function frozenState(config: StackConfig, now: Date, { changesDuringFreeze, describeFreeze, frozenRefusal, isoSeconds, stackFreeze }: typeof import("../../lib/freeze")): Frozen | undefined {
    const freeze = stackFreeze(config, now);
    if (!freeze) return undefined;
    const changes = changesDuringFreeze(config, freeze);
    const refusal = changes.length ? errorText(frozenRefusal(config.stack, freeze, changes.map((c) => `${c.kind} ${c.name} was promoted at ${c.at}, during the freeze`).join("; "))) : "";
    return { description: describeFreeze(freeze), name: freeze.name, until: freeze.until ? isoSeconds(freeze.until) : null, changes, refusal };
}

function renderFrozen(results: readonly Result[]): string {
    return results
        .filter((r) => r.frozen)
        .map((r) => (r.frozen!.refusal ? `${r.config.file}: error: ${r.frozen!.refusal}\n` : `${r.config.stack}: frozen: ${r.frozen!.description}\n`))
        .join("");
}

function renderJson(results: readonly Result[], jsonLine: (value: unknown) => string, isRefused: (v: readonly Violation[]) => boolean): string {
    let out = "";
    for (const result of results) {
        const { config, violations } = result;
        for (const v of violations) {
            out += jsonLine({
                type: "violation",
                stack: config.stack,
                rule: v.rule,
                level: v.level,
                message: v.message,
                subject: v.subject ?? "",
                file: v.location?.file ?? config.file,
                line: v.location?.line ?? 0,
                column: v.location?.column ?? 0,
                key: v.location?.key ?? "",
            });
        }
        out += jsonLine({
            type: "summary",
            stack: config.stack,
            environment: config.environment,
            file: config.file,
            errors: violations.filter((v) => v.level === "mandatory").length,
            warnings: violations.filter((v) => v.level === "advisory").length,
            hold: config.hold,
            frozen: result.frozen ? { name: result.frozen.name, until: result.frozen.until, changes: result.frozen.changes } : null,
            ok: !isRefused(violations) && !(result.frozen?.changes.length),
        });
    }
    return out;
}
