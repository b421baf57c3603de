import * as path from "path";
import { listStacks, loadStack, parseStackConfig, parseStackFileText, stackFilePath } from "../config";
import { readTextOrNull } from "../config/atomic";
import { ConfigChange, planTextEdit, PlannedFileEdit } from "../config/write";
import { runGit } from "../history/git";
import { badInput, PinstackError, refused } from "../errors";
import type { Provenance, StackConfig } from "../model";
import type { StackUpdate } from "../pulumi-cli";
import type { PinChange, PinView } from "../format";
import { artifactOfEntry } from "../pin";
import { SealSubject, serviceSubject } from "../provenance";

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
export interface PinMove extends PinChange {
    readonly change: "update" | "add";
    readonly after: PinView;
    readonly provenance: Provenance;
    /** The digest the registry gave the tag, when it was resolved. */
    readonly resolvedDigest?: string;
    /** The source stack's update that first deployed the pin (promote). */
    readonly deployedSince?: { readonly version: number; readonly at: string };
}

/** The `pinstack:lastChange` record written with every change. */
export interface LastChange {
    readonly command: "promote" | "rollback" | "hold" | "hold-clear" | "freeze" | "freeze-clear";
    readonly at: string;
    readonly by: string;
    readonly reason: string;
    readonly from?: string;
    readonly update?: number;
}

/** A stack read once for a command: validated config, its raw values, and the text an edit starts from. */
export interface LoadedStack {
    readonly config: StackConfig;
    /** Absolute path of the stack file. */
    readonly file: string;
    /** The text read; the write is guarded against the file no longer holding it. */
    readonly text: string;
    /** The `config:` map as plain JSON (numbers as numbers; `secure:` values absent). */
    readonly raw: Record<string, unknown>;
    /** The `config:` map as lib/config read it (numbers keep their written text), for parseStackConfig. */
    readonly values: Readonly<Record<string, unknown>>;
    readonly secretKeys: readonly string[];
}

/**
 * Reads and validates a stack once, keeping the text and raw values for the edit (loadStack
 * would parse the file again for each). Same errors as loadStack: an unknown stack or a fault
 * in the file is bad input (exit 2), named by file, line and key relative to the working directory.
 */
export function readStack(dir: string, stack: string): LoadedStack {
    if (!listStacks(dir).includes(stack)) return unreachable(loadStack(dir, stack));
    const file = path.resolve(stackFilePath(dir, stack));
    const display = path.relative(process.cwd(), file) || file;
    // Read by the name messages use: a refusal (too big, unreadable) names the file as the others do.
    const text = readTextOrNull(display);
    if (text === null) return unreachable(loadStack(dir, stack));
    const parsed = parseStackFileText(display, text);
    const config = parseStackConfig(stack, display, parsed.raw, parsed.locate, { secretKeys: parsed.secretKeys });
    return { config, file, text, raw: JSON.parse(JSON.stringify(parsed.raw)) as Record<string, unknown>, values: parsed.raw, secretKeys: parsed.secretKeys };
}

/** loadStack throws for what readStack found missing; this keeps the types honest if it ever does not. */
function unreachable(config: StackConfig): never {
    throw badInput(`stack ${config.stack} vanished while it was read`);
}

/**
 * The edit of a change that moves no pin (a hold, a freeze): its own keys plus the
 * `pinstack:lastChange` record, so the file's history carries who, when and why.
 */
export function markEdit(loaded: LoadedStack, changes: readonly ConfigChange[], lastChange: LastChange): PlannedFileEdit {
    return planTextEdit(loaded.file, loaded.text, [...changes, { path: ["pinstack:lastChange"], value: lastChange }], { displayName: loaded.config.file });
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

export { isoSeconds } from "../freeze/now";

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

/**
 * `values` with `changes` applied, copying only the objects on each changed path (the rest is
 * shared): the would-be config, without writing or re-parsing the file.
 */
export function withChanges(values: Readonly<Record<string, unknown>>, changes: readonly { path: readonly string[]; value: unknown }[]): Record<string, unknown> {
    const root: Record<string, unknown> = { ...values };
    // Objects already copied for an earlier change: copying the services map once per changed
    // service made a promotion of every pin quadratic.
    const copies = new Set<object>([root]);
    for (const change of changes) {
        let at = root;
        for (let i = 0; i < change.path.length - 1; i++) {
            const key = change.path[i];
            const next = at[key];
            if (next !== null && typeof next === "object" && copies.has(next)) {
                at = next as Record<string, unknown>;
                continue;
            }
            // A NumberSource (an unquoted number, e.g. the shorthand `pkg: 1.20`) is a value, not a map.
            const map = next !== null && typeof next === "object" && Object.getPrototypeOf(next) === Object.prototype;
            const scalar = next === undefined || next === null ? undefined : typeof next === "object" && "source" in next ? String((next as { source: unknown }).source) : String(next);
            at[key] = map ? { ...(next as Record<string, unknown>) } : scalar !== undefined && change.path[i + 1] !== "version" ? { version: scalar } : {};
            at = at[key] as Record<string, unknown>;
            copies.add(at);
        }
        const last = change.path[change.path.length - 1];
        if (change.value === undefined) delete at[last];
        else at[last] = change.value;
    }
    return root;
}

/**
 * The seal subject of a service entry as written to the file (raw config values): its image,
 * tag and digest, and its init containers and sidecars, so the seal covers all it runs.
 */
export function entrySubject(name: string, entry: Readonly<Record<string, unknown>>): SealSubject {
    return serviceSubject({ name, ...artifactOfEntry(entry) });
}

/** A config value as text, or undefined when absent or empty. */
export function optionalText(value: unknown): string | undefined {
    return value === undefined || value === null || value === "" ? undefined : String(value);
}
