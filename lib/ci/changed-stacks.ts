/**
 * Which stacks a change touches, from the paths it changes (relative to the project
 * directory). A pull request previews exactly those stacks.
 *
 * Unknown paths count as code: previewing a stack for nothing costs a CI minute,
 * skipping one that changed hides a diff from the reviewer.
 */

export interface ChangedStacks {
    /** Stacks to preview, sorted by name. */
    readonly stacks: readonly string[];
    /** Per stack, the paths that put it in the list. */
    readonly reasons: Readonly<Record<string, readonly string[]>>;
    /** Stacks whose file the change deletes (nothing left to preview). */
    readonly removed: readonly string[];
    /** Paths that affect no stack (documentation, tests, ...). */
    readonly ignored: readonly string[];
}

/** How one path affects the stacks. */
export type PathEffect =
    | { readonly kind: "stack"; readonly stack: string }
    | { readonly kind: "all" }
    | { readonly kind: "none" };

const STACK_FILE = /^Pulumi\.([^/]+)\.ya?ml$/;
const POLICY_CONFIG = /^policies\/config\.([^/]+)\.json$/;

/**
 * Paths that cannot change what `pulumi preview` shows for any stack. Everything else —
 * index.ts, Pulumi.yaml, program/, components/, lib/, stacks/, policies/, package files, scripts/,
 * and the CI workflows themselves (so a workflow change is exercised) — counts as code.
 */
const NO_EFFECT: readonly RegExp[] = [
    /\.md$/i,
    /^docs\//,
    /^tests\//,
    /^bench\//,
    /^examples\//,
    /^LICEN[CS]E/i,
    /^\.gitignore$/,
    /^\.gitattributes$/,
    /^\.editorconfig$/,
    /^\.vscode\//,
    /^\.github\/(?!workflows\/)/,
];

/** Normalises a path as git or a file list writes it: forward slashes, no leading `./`. */
export function normalisePath(file: string): string {
    return file.trim().replace(/\\/g, "/").replace(/^(\.\/)+/, "");
}

/** Classifies one path (already normalised). */
export function pathEffect(file: string): PathEffect {
    const stackFile = STACK_FILE.exec(file);
    if (stackFile) return { kind: "stack", stack: stackFile[1] };
    const policyConfig = POLICY_CONFIG.exec(file);
    if (policyConfig) return { kind: "stack", stack: policyConfig[1] };
    if (NO_EFFECT.some((pattern) => pattern.test(file))) return { kind: "none" };
    return { kind: "all" };
}

/**
 * The stacks to preview for a change.
 * @param paths changed paths, relative to the project directory
 * @param knownStacks stacks that exist after the change (their `Pulumi.<stack>.yaml` is present)
 */
export function changedStacks(paths: readonly string[], knownStacks: readonly string[]): ChangedStacks {
    const known = new Set(knownStacks);
    const reasons = new Map<string, string[]>();
    const removed = new Set<string>();
    const ignored: string[] = [];
    const add = (stack: string, file: string) => {
        const list = reasons.get(stack) ?? [];
        if (!list.includes(file)) list.push(file);
        reasons.set(stack, list);
    };
    const files = [...new Set(paths.map(normalisePath).filter((file) => file !== ""))].sort();
    for (const file of files) {
        const effect = pathEffect(file);
        if (effect.kind === "stack") {
            if (known.has(effect.stack)) add(effect.stack, file);
            else if (STACK_FILE.test(file)) removed.add(effect.stack);
            else ignored.push(file); // policy config of a stack that does not exist
        } else if (effect.kind === "all") {
            for (const stack of known) add(stack, file);
        } else {
            ignored.push(file);
        }
    }
    const stacks = [...reasons.keys()].sort();
    return {
        stacks,
        reasons: Object.fromEntries(stacks.map((stack) => [stack, reasons.get(stack) ?? []])),
        removed: [...removed].sort(),
        ignored,
    };
}
