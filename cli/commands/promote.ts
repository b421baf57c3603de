import { Command, Option } from "commander";
import { jsonLine } from "../../lib/format";
import { applyChanges, planPromotion } from "../../lib/promote";
import { registryResolver, registryTimeoutFromEnv } from "../../lib/registry";
import { verifyImageSignature } from "../../lib/signing";
import { environmentFor, moveLines, paintDiff, writeWarnings } from "../promotion-output";
import { gatesWithResultFiles } from "../gate-files";

/**
 * `pinstack promote <from> <to> [--service N]... [--package P]... --reason T [--dry-run]
 * [--allow-undeployed] [--json]`: the reviewed config change that moves pins to the next stack.
 */
export function register(program: Command): void {
    program
        .command("promote")
        .description("copy pins from one stack to the next as a reviewed change of Pulumi.<to>.yaml (with provenance)")
        .argument("<from>", "source stack, e.g. staging")
        .argument("<to>", "target stack, e.g. production")
        .option("--service <name>", "promote this service (repeatable); with no --service/--package, every pin of <from>", collect, [])
        .option("--package <name>", "promote this package (repeatable)", collect, [])
        .requiredOption("--reason <text>", "why: recorded in each pin's provenance and in pinstack:lastChange")
        .option("--dry-run", "show the change, write nothing")
        .option("--allow-undeployed", "promote pins that never ran on <from> (or have not soaked); recorded in the provenance")
        .option("--break-glass", "let this promotion through a freeze of <to> (an emergency change): recorded, sealed, in each pin's provenance")
        .option("--now <time>", "judge freezes and soak at this time instead of the clock (also $PINSTACK_NOW)")
        .option("--gates <file>", "a gate result written by `pinstack ci release-branch|branch-tag|acceptance-checklist -o <file>` (repeatable); a missing one then refuses", collect, [])
        .addOption(new Option("--no-strict-gates", "with --gates, let a missing gate result pass"))
        .option("--json", "one JSON object per pin moved: kind, name, change, from, to, before, after, resolvedDigest, deployedSince, provenance, written")
        .addHelpText(
            "after",
            `
Examples:
  $ pinstack promote staging production --service backend --reason "Release 2023.06.2 (#921)"
  $ pinstack promote playground staging --reason "nightly" --dry-run
  $ pinstack promote staging production --package ukrdc-services --reason "10.8.5 tested" --json

Only the promoted keys of Pulumi.<to>.yaml change (comments and layout kept); each pin gets
a sealed provenance {from, at, by, reason, seal}. Where <to> requires digests the tag is
resolved through the registry and pinned, and pinstack.ledger.json records tag -> digest.
Refused (exit 1, nothing written): <to> on hold; <to> frozen (pinstack:freeze windows or
\`pinstack freeze\`) without --break-glass; a pin never deployed on <from> (pulumi stack
history) or not soaked for <to>'s soakMinutes; a tag that moved; a rule of <to> broken; a
registry that cannot be reached, or whose answer cannot be trusted (a digest that is not the
hash of the manifest sent, a body that is not a manifest or over 4 MiB, no complete answer
within PINSTACK_REGISTRY_TIMEOUT seconds, default 30, a redirect to another host, a token
service that would get credentials over plain http or on another host); where <to> names
trusted keys (pinstack:signing) and requires signatures (production), an image without a
cosign signature by one of them for exactly its digest (the key is recorded in the provenance).
Exit 2: unknown stack, service or package.`,
        )
        .action(async (from: string, to: string, options: { service: string[]; package: string[]; reason: string; dryRun?: boolean; allowUndeployed?: boolean; breakGlass?: boolean; json?: boolean; gates: string[]; strictGates: boolean }, command: Command) => {
            const env = environmentFor(command);
            const timeoutMs = registryTimeoutFromEnv();
            const plan = await planPromotion(
                {
                    from,
                    to,
                    services: options.service,
                    packages: options.package,
                    reason: options.reason,
                    allowUndeployed: options.allowUndeployed,
                    breakGlass: options.breakGlass,
                    ...(options.gates.length > 0 ? { gates: gatesWithResultFiles(options.gates, {}), strictGates: options.strictGates } : {}),
                },
                env,
                registryResolver({ timeoutMs }),
                (image, digest, trust, now) => verifyImageSignature(image, digest, trust, now, { timeoutMs }),
            );
            if (plan.moves.length > 0 && !options.dryRun) applyChanges([plan.stackEdit, plan.ledgerChange]);
            writeWarnings(plan.warnings);
            const written = plan.moves.length > 0 && !options.dryRun;
            if (options.json) {
                process.stdout.write(
                    plan.moves
                        .map((m) => jsonLine({ kind: m.kind, name: m.name, change: m.change, from: plan.from, to: plan.to, before: m.before, after: m.after, resolvedDigest: m.resolvedDigest ?? null, deployedSince: m.deployedSince ?? null, provenance: m.provenance, written }))
                        .join(""),
                );
                return;
            }
            if (plan.moves.length === 0) {
                process.stdout.write(`${plan.to} already runs the chosen pins of ${plan.from}; nothing to promote\n`);
                return;
            }
            process.stdout.write(`promote ${plan.from} -> ${plan.to}${options.dryRun ? " (dry run: nothing written)" : ""}\n`);
            process.stdout.write(
                moveLines(plan.moves, (m) =>
                    [
                        m.deployedSince ? `on ${plan.from} since update ${m.deployedSince.version}` : options.allowUndeployed ? "not checked: --allow-undeployed" : "",
                        m.resolvedDigest ? "digest from the registry" : "",
                        signedBy(m.provenance.signatures),
                        m.provenance.breakGlass ? `break-glass through ${m.provenance.breakGlass.freeze}` : "",
                    ]
                        .filter(Boolean)
                        .join("; "),
                ),
            );
            process.stdout.write(`\n${paintDiff(plan.diff)}`);
            if (written) {
                const files = [plan.stackEdit?.file, plan.ledgerChange?.file].filter(Boolean).map((f) => require("path").basename(f as string));
                process.stdout.write(`\nwrote ${files.join(", ")}: review, commit, and deploy with \`pulumi up -s ${plan.to}\`\n`);
            }
        });
}

/** "signed by ci-2026" (one key for every image of the pin), or each key in pod order. */
function signedBy(records: readonly { key: string }[] | undefined): string {
    if (!records?.length) return "";
    const keys = [...new Set(records.map((r) => r.key))];
    return `signed by ${keys.join(", ")}${records.length > 1 ? ` (${records.length} images)` : ""}`;
}

function collect(value: string, previous: string[]): string[] {
    return [...previous, value];
}
