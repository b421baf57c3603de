import { readStackFile, stackFilePath } from "../config";
import { runGit } from "../history/git";
import { badInput, PinstackError, refused } from "../errors";
import type { Provenance, StackConfig } from "../model";
import type { StackUpdate } from "../pulumi-cli";
import type { PinView } from "../format";

/** Things a promotion, rollback or hold needs from outside lib/: injected so tests need no CLI, clock or network. */
export interface Environment {
    /** The project directory (holds Pulumi.<stack>.yaml). */
    readonly dir: string;
    readonly now: Date;
    /** Who makes the change (provenance.by). */
    readonly by: string;
    /** `pulumi stack history` of a stack, newest first. */
    readonly history: (stack: string) => StackUpdate[];
}

/** One pin a command changes, for the report and `--json`. */
export interface PinMove {
    readonly kind: "service" | "package";
    readonly name: string;
    readonly change: "update" | "add";
    readonly before: PinView | null;
    readonly after: PinView;
    readonly provenance: Provenance;
    /** The digest the registry gave the tag, when it was resolved. */
    readonly resolvedDigest?: string;
    /** The source stack's update that first deployed the pin (promote). */
    readonly deployedSince?: { readonly version: number; readonly at: string };
}

/** The `pinstack:lastChange` record written with every change. */
export interface LastChange {
    readonly command: "promote" | "rollback" | "hold" | "hold-clear";
    readonly at: string;
    readonly by: string;
    readonly reason: string;
    readonly from?: string;
    readonly update?: number;
}

/** A stack file's raw config as plain JSON (numbers as numbers; `secure:` values absent). */
export function rawConfig(dir: string, stack: string): { file: string; raw: Record<string, unknown>; secretKeys: readonly string[] } {
    const file = stackFilePath(dir, stack);
    const read = readStackFile(file);
    return { file, raw: JSON.parse(JSON.stringify(read.raw)) as Record<string, unknown>, secretKeys: read.secretKeys };
}

/** A reason is required and is one line: it goes into YAML, provenance seals and commit-like history. */
export function checkReason(reason: string | undefined): string {
    const trimmed = (reason ?? "").trim();
    if (trimmed === "") throw badInput("--reason is empty", { fix: 'say why, e.g. --reason "Release 2023.06.2: fixes #921"' });
    if (/[\r\n]/.test(trimmed)) throw badInput("--reason must be one line", { fix: "put the details in the commit message" });
    return trimmed;
}

/** Who is making the change: $PINSTACK_ACTOR (CI sets it), else git's user.email, else $USER. */
export function currentActor(dir: string, env: NodeJS.ProcessEnv = process.env): string {
    if (env.PINSTACK_ACTOR) return env.PINSTACK_ACTOR;
    try {
        const email = runGit(dir, ["config", "user.email"]);
        if (email.code === 0 && email.stdout.trim()) return email.stdout.trim();
    } catch {
        // no git: fall through
    }
    return env.USER || env.USERNAME || "unknown";
}

/** ISO-8601 in UTC to the second, the form written into provenance. */
export function isoSeconds(date: Date): string {
    return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Sets `key` to `value`, or removes it when value is undefined / empty. */
export function setOrDelete(target: Record<string, unknown>, key: string, value: unknown): void {
    if (value === undefined || value === null || value === "") delete target[key];
    else target[key] = value;
}

/** One refusal for several problems: the first is the headline, the others are listed. */
export function refusal(headline: string, problems: readonly string[], fix: string): PinstackError {
    const [first, ...rest] = problems;
    return refused(`${headline}: ${first}`, {
        why: rest.length ? `${rest.length} more:\n${rest.map((p) => `    - ${p}`).join("\n")}` : undefined,
        fix,
    });
}

/** The config of a named stack must exist; exit 2 otherwise (listing what does). */
export function unknownPin(kind: "service" | "package", name: string, stack: StackConfig): PinstackError {
    const known = kind === "service" ? stack.services.map((s) => s.name) : stack.packages.map((p) => p.name);
    return badInput(`unknown ${kind} '${name}' in stack ${stack.stack}`, {
        why: known.length ? `${stack.file} has ${kind}s: ${known.join(", ")}` : `${stack.file} has no ${kind}s`,
        fix: `name a ${kind} of ${stack.stack}`,
    });
}
