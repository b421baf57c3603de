import { Command } from "commander";
import { badInput, ExitCode } from "../../lib/errors";
import type { painter as Painter } from "../../lib/format";
import type { SchemeName } from "../../lib/model";
import type { ImageResult } from "../../lib/rules";
// The libraries load inside the action, so other commands do not pay for them at start-up.

/**
 * `pinstack verify-image <ref>... --stack S [--service N] [--json]`: may these images be
 * deployed on S? One result per reference, in input order. Exit 0 all allowed, 1 a rule
 * refuses one, 2 one is not a valid reference. Writes no file.
 */
export function register(program: Command): void {
    program
        .command("verify-image")
        .description("check image references against a stack's rules (Docker reference grammar, tag rules)")
        .argument("<reference...>", "image references, e.g. ghcr.io/org/app:1.4.2@sha256:...")
        .requiredOption("-s, --stack <stack>", "the stack the images would be deployed on")
        .option("--service <name>", "also check the tag scheme of this service of the stack")
        .option("--signatures", "also verify each image's cosign signature in its registry against the keys the stack trusts (pinstack:signing)")
        .option("--json", "one JSON object per reference: input, valid, domain, name, path, tag, digest, allowed, violations, error (with --signatures, then signature)")
        .option("--now <time>", "judge the stack's freeze at this time instead of the clock (also $PINSTACK_NOW)")
        .addHelpText(
            "after",
            `
Examples:
  $ pinstack verify-image ghcr.io/example/backend:2023.06.1 --stack staging --service backend
  $ pinstack verify-image nginx:latest 'registry:5000/app@sha256:...' --stack production --json
  $ pinstack verify-image ghcr.io/example/backend:2023.06.1 --stack production --signatures

With --signatures the registry is asked for the cosign signatures of the image's digest (a
tag is resolved to one first); one by a key of the stack's pinstack:signing, valid now, for
exactly that digest, passes. The refusal says why: no signature, unknown key, a key outside
its validity, a signature for another digest. A registry that cannot be asked refuses too.

Without --service only the rules that hold for every service of the stack run; with it,
that service's tag scheme too. Advisory findings are printed as warnings and do not refuse.
Exit codes: 0 every reference allowed, 1 a rule refuses one, 2 one is not a valid reference
(or the stack or service is unknown).`,
        )
        .action(async (references: string[], options: { stack: string; service?: string; json?: boolean; signatures?: boolean; now?: string }, command: Command) => {
            const { loadStack, presetWithinFloor } = await import("../../lib/config");
            const { evaluateImage, isRefused } = await import("../../lib/rules");
            const { colorEnabled, jsonLine, painter } = await import("../../lib/format");
            const dir: string = command.optsWithGlobals().dir;
            const config = loadStack(dir, options.stack);
            const preset = presetWithinFloor(dir, config);
            const { currentTime, describeFreeze, stackFreeze } = await import("../../lib/freeze");
            const freeze = stackFreeze(config, currentTime(options.now));
            let scheme: SchemeName | undefined;
            if (options.service !== undefined) {
                const service = config.services.find((s) => s.name === options.service);
                if (!service) {
                    const known = config.services.map((s) => s.name);
                    throw badInput(`unknown service '${options.service}' in stack ${config.stack}`, {
                        why: known.length ? `${config.file} has services: ${known.join(", ")}` : `${config.file} has no services`,
                        fix: "name a service of the stack, or leave out --service",
                    });
                }
                scheme = service.scheme;
            }
            const evaluated = references.map((reference) =>
                evaluateImage({ reference, stack: config.stack, preset, scheme, service: options.service, gates: config.gates, hold: config.hold, holdReason: config.holdReason, ...(freeze ? { frozen: describeFreeze(freeze) } : {}) }),
            );
            const signed = options.signatures ? await (await import("../signatures")).checkSignatures(evaluated, config, preset, dir) : undefined;
            const results = signed ? signed.results : evaluated;
            const paint = painter(colorEnabled());
            let out = "";
            results.forEach((result, i) => {
                const signature = signed ? { signature: signed.records[i] ?? null } : {};
                out += options.json ? jsonLine({ ...contractLine(references[i], result), ...signature }) : humanLine(references[i], result, paint, signed?.records[i]);
                if (options.json) {
                    for (const warning of result.violations.filter((v) => v.level !== "mandatory")) {
                        process.stderr.write(`warning: ${references[i]}: [${warning.rule}] ${warning.message}\n`);
                    }
                }
            });
            process.stdout.write(out);
            if (results.some((r) => r.error !== undefined)) process.exitCode = ExitCode.badInput;
            else if (results.some((r) => isRefused(r.violations))) process.exitCode = ExitCode.refused;
        });
}

/** The verify-image JSON line, exactly the contract's fields in the contract's order. */
export function contractLine(input: string, result: ImageResult) {
    const refusing = result.violations.filter((v) => v.level === "mandatory");
    return {
        input,
        valid: result.error === undefined,
        domain: result.ref?.domain ?? "",
        name: result.ref?.name ?? "",
        path: result.ref?.path ?? "",
        tag: result.ref?.tag ?? "",
        digest: result.ref?.digest ?? "",
        allowed: result.error === undefined && refusing.length === 0,
        violations: refusing.map((v) => ({ rule: v.rule, message: v.message })),
        error: result.error ?? "",
    };
}

function humanLine(input: string, result: ImageResult, paint: ReturnType<typeof Painter>, signature?: { key: string; digest: string }): string {
    const shown = JSON.stringify(input);
    if (result.error !== undefined) return `${paint("red", "invalid")}  ${shown}: ${result.error}\n`;
    const refusing = result.violations.filter((v) => v.level === "mandatory");
    let out = refusing.length ? `${paint("red", "refused")}  ${input}\n` : `${paint("green", "allowed")}  ${input}\n`;
    if (signature) out += `  signed by key ${signature.key} for ${signature.digest}\n`;
    for (const v of result.violations) {
        out += `  ${v.level === "mandatory" ? paint("red", "error") : paint("yellow", "warning")} [${v.rule}] ${v.message}\n`;
    }
    return out;
}
