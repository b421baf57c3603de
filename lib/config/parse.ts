import { badInput, PinstackError } from "../errors";
import { EXTRA_CONTAINER_LISTS } from "../model";
import type {
    ExtraContainer,
    FreezeConfig,
    Gates,
    PackageChannel,
    PackagePin,
    Provenance,
    SchemeName,
    ServicePin,
    SigningKeySpec,
    SigningPolicy,
    SourceLocation,
    StackConfig,
    StrategyName,
} from "../model";
import { type AdHocFreeze, type FreezeWindow, parseWindow } from "../freeze";
import { digestProblem, parseRepositoryName, tagProblem } from "../reference";
import { presetFor, presetNames, type StackPreset } from "../presets";
import { formatLocation } from "../errors";
import { ConfigPath, qualifyKey } from "./keys";
import { fileOnlyLocator, Locator } from "./locate";
import { misplacedSecrets, underSecret } from "./secrets";
import { ConfigProblem, resolveScalars, RetypedScalar, rootSchema, validateAgainstSchema } from "./validate";

/** Options for parseStackConfig. */
export interface ParseOptions {
    /**
     * Pulumi's `Config` hands values over as text: turn "true"/"8000"/JSON text into the
     * types the schema wants. Off for files, where `hold: "yes"` is a mistake to report.
     */
    readonly coerceScalars?: boolean;
    /** Keys known to hold `secure:` values (from readStackFile); recorded, never read. */
    readonly secretKeys?: readonly string[];
    /** Project name that bare keys belong to (default "pinstack"). */
    readonly project?: string;
}

/**
 * Turns a stack's raw config map (from a file, or plain objects from `pulumi.Config`)
 * into a validated StackConfig. Only `pinstack:*` keys are read; others (aws:region, ...)
 * are left to their providers. Throws a bad-input PinstackError (exit 2) naming file,
 * line and key for: wrong types, unknown keys, missing required keys, an unknown
 * environment (preset), an invalid image name, tag or digest.
 */
export function parseStackConfig(
    stack: string,
    file: string,
    raw: Readonly<Record<string, unknown>>,
    locate: Locator = fileOnlyLocator(file),
    options: ParseOptions = {},
): StackConfig {
    const project = options.project ?? "pinstack";
    const own: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw)) {
        const qualified = qualifyKey(key, project);
        if (qualified.startsWith("pinstack:") && value !== undefined) own[qualified] = value;
    }
    // The package shorthand `name: 10.8.5` is `name: { version: 10.8.5 }`.
    const packagesRaw = own["pinstack:packages"];
    if (isPlainObject(packagesRaw)) {
        own["pinstack:packages"] = Object.fromEntries(
            Object.entries(packagesRaw).map(([name, value]) => [name, isPlainObject(value) ? value : value === null ? value : { version: value }]),
        );
    }
    const secretKeys = options.secretKeys ?? [];
    // Before anything reads a value: the program is handed secrets decrypted, and a value in
    // the wrong place would otherwise be judged, and quoted, like any other.
    const misplaced = misplacedSecrets(secretKeys);
    if (misplaced.length > 0) {
        throw problemsError(
            misplaced.map((key) => ({
                message: "a secret (secure:) cannot stand here: pinstack reads this key to decide what runs; only a service's env (the map or its entries) may be secret",
                location: locate(key),
            })),
            "store the value in plain text (`pulumi config set` without --secret), or move the secret into the service's env",
        );
    }
    const retyped: RetypedScalar[] = [];
    const config = resolveScalars(own, rootSchema, options.coerceScalars ?? false, retyped) as Record<string, unknown>;
    const problems = [
        ...retyped.map((r) => ({
            message: `unquoted ${r.source} is not the text "${r.source}" to Pulumi: YAML makes it ${r.pulumiReads}; write it quoted: ${quotedForm(r)}`,
            location: locate(r.path),
        })),
        ...validateAgainstSchema(config, locate, (key) => underSecret(secretKeys, key)),
    ].sort((a, b) => a.location.line - b.location.line || a.location.column - b.location.column);
    if (problems.length > 0) throw problemsError(problems);

    const semantic: ConfigProblem[] = [];
    const at = (path: ConfigPath): SourceLocation => locate(path);
    const environment = (config["pinstack:environment"] as string | undefined) ?? stack;
    if (!presetFor(environment)) {
        semantic.push({
            message:
                config["pinstack:environment"] === undefined
                    ? `pinstack:environment is missing and '${stack}' is not a preset; set it to one of ${presetNames().join(", ")}`
                    : `unknown environment '${environment}'; the presets are ${presetNames().join(", ")} (stacks/)`,
            location: at(["pinstack:environment"]),
        });
    }
    if (config["pinstack:renderDir"] && config["pinstack:kubeconfig"]) {
        // Render mode never reaches a cluster: a kubeconfig next to it means one of the two is a mistake.
        semantic.push({
            message: "pinstack:renderDir and pinstack:kubeconfig exclude each other: render manifests to a directory, or deploy to the cluster of a kubeconfig",
            location: at(["pinstack:kubeconfig"]),
        });
    }
    const services = Object.entries((config["pinstack:services"] ?? {}) as Record<string, RawService>).map(([name, value]) =>
        toServicePin(name, value, at, locate, semantic),
    );
    const packages = Object.entries((config["pinstack:packages"] ?? {}) as Record<string, RawPackage>).map(([name, value]) =>
        toPackagePin(name, value, at, locate),
    );
    const signing = signingPolicy(config["pinstack:signing"] as RawSigning | undefined, at, semantic);
    const freeze = freezeConfig(config["pinstack:freeze"] as RawFreeze | undefined, presetFor(environment), at, semantic);
    if (semantic.length > 0) throw problemsError(semantic);

    return {
        stack,
        file,
        environment,
        namespace: (config["pinstack:namespace"] as string | undefined) ?? stack,
        hold: (config["pinstack:hold"] as boolean | undefined) ?? false,
        holdReason: config["pinstack:holdReason"] as string | undefined,
        freeze,
        cloud: config["pinstack:cloud"] as boolean | undefined,
        renderDir: config["pinstack:renderDir"] as string | undefined,
        // Pulumi.yaml gives both the default "" (unset), as it does renderDir.
        kubeconfig: (config["pinstack:kubeconfig"] as string | undefined) || undefined,
        kubeContext: (config["pinstack:kubeContext"] as string | undefined) || undefined,
        services,
        packages,
        gates: (config["pinstack:gates"] ?? {}) as Gates,
        presetOverrides: (config["pinstack:preset"] ?? {}) as Record<string, unknown>,
        ...(signing ? { signing } : {}),
        secretKeys: [...secretKeys],
    };
}

type RawFreeze = { windows?: string[]; active?: AdHocFreeze };

/**
 * `pinstack:freeze` with each window read by lib/freeze, after the windows of the stack's
 * preset; a window it cannot read is a problem at its line (a preset's, at pinstack:environment).
 */
function freezeConfig(raw: RawFreeze | undefined, preset: StackPreset | undefined, at: (path: ConfigPath) => SourceLocation, semantic: ConfigProblem[]): FreezeConfig {
    const windows: FreezeWindow[] = [];
    (preset?.freezeWindows ?? []).forEach((text, i) => {
        const parsed = parseWindow(text);
        if ("problem" in parsed) semantic.push({ message: `preset ${preset!.name} (stacks/): freezeWindows[${i}]: ${parsed.problem}`, location: at(["pinstack:environment"]) });
        else windows.push(parsed);
    });
    if (raw === undefined) return { windows };
    (raw.windows ?? []).forEach((text, i) => {
        const parsed = parseWindow(text);
        if ("problem" in parsed) semantic.push({ message: `freeze window: ${parsed.problem}`, location: at(["pinstack:freeze", "windows", i]) });
        else windows.push(parsed);
    });
    if (raw.active?.until !== undefined && Date.parse(raw.active.until) <= Date.parse(raw.active.at)) {
        semantic.push({ message: `the freeze ends (${raw.active.until}) before it was set (${raw.active.at})`, location: at(["pinstack:freeze", "active", "until"]) });
    }
    return { windows, ...(raw.active ? { active: raw.active } : {}), location: at(["pinstack:freeze"]) };
}

type RawSigning = { keys: { id: string; publicKey: string; notBefore?: string; notAfter?: string }[] };

/** `pinstack:signing` with locations; an id named twice or a validity that ends before it starts is a problem. */
function signingPolicy(raw: RawSigning | undefined, at: (path: ConfigPath) => SourceLocation, semantic: ConfigProblem[]): SigningPolicy | undefined {
    if (raw === undefined) return undefined;
    const seen = new Set<string>();
    const keys: SigningKeySpec[] = raw.keys.map((key, i) => {
        const path: ConfigPath = ["pinstack:signing", "keys", i];
        if (seen.has(key.id)) semantic.push({ message: `key id '${key.id}' is named twice; each trusted key needs its own id`, location: at([...path, "id"]) });
        seen.add(key.id);
        if (key.notBefore && key.notAfter && Date.parse(key.notAfter) <= Date.parse(key.notBefore)) {
            semantic.push({ message: `key ${key.id}: notAfter ${key.notAfter} is not after notBefore ${key.notBefore}`, location: at([...path, "notAfter"]) });
        }
        return { id: key.id, publicKey: key.publicKey, ...(key.notBefore ? { notBefore: key.notBefore } : {}), ...(key.notAfter ? { notAfter: key.notAfter } : {}), location: at(path) };
    });
    return { keys, location: at(["pinstack:signing"]) };
}

type RawImage = { image: string; tag?: string; digest?: string };
type RawService = RawImage & {
    scheme?: SchemeName;
    strategy?: StrategyName;
    port?: number;
    previous?: { tag?: string; digest?: string };
    initContainers?: (RawImage & { name: string })[];
    sidecars?: (RawImage & { name: string })[];
    provenance?: Provenance;
    [key: string]: unknown;
};
type RawPackage = { version: string; channel?: PackageChannel; provenance?: Provenance };

/** Default port when a service names none (the common HTTP app port). */
export const DEFAULT_PORT = 8080;

function toServicePin(name: string, raw: RawService, at: (p: ConfigPath) => SourceLocation, locateKey: (key: string) => SourceLocation, problems: ConfigProblem[]): ServicePin {
    const base: ConfigPath = ["pinstack:services", name];
    checkImage(raw, base, at, problems);
    if (raw.previous) checkTagAndDigest(raw.previous, [...base, "previous"], at, problems);
    // Kubernetes wants every container name of a pod unique, init containers included; the
    // service's own container is named after the service.
    const seen = new Map<string, string>([[name, "the service's own container"]]);
    for (const list of EXTRA_CONTAINER_LISTS) {
        raw[list]?.forEach((container, i) => {
            checkImage(container, [...base, list, i], at, problems);
            const taken = seen.get(container.name);
            if (taken !== undefined) {
                problems.push({ message: `container name '${container.name}' is already used by ${taken}: the names of a pod's containers must differ`, location: at([...base, list, i, "name"]) });
            } else {
                seen.set(container.name, `${list}[${i}]`);
            }
        });
    }
    if (raw.activeColor !== undefined && raw.strategy !== "blue-green") {
        problems.push({ message: "activeColor applies only to strategy: blue-green", location: at([...base, "activeColor"]) });
    }
    const pin = {
        ...(raw as unknown as Omit<ServicePin, "name" | "scheme" | "port" | "strategy" | "location">),
        name,
        scheme: raw.scheme ?? "any",
        port: raw.port ?? DEFAULT_PORT,
        strategy: raw.strategy ?? "in-place",
        initContainers: raw.initContainers as ExtraContainer[] | undefined,
        sidecars: raw.sidecars as ExtraContainer[] | undefined,
    };
    return withLocations(pin, base, Object.keys(raw), `pinstack:services.${name}.`, at, locateKey);
}

/**
 * Adds `location` and `fieldLocations` as properties computed on first read: only a pin that
 * a message is about needs its line, and finding lines for every field of thousands of pins
 * was most of what a clean `pinstack check` spent after parsing.
 */
function withLocations<T extends object>(
    pin: T,
    base: ConfigPath,
    fields: readonly string[],
    prefix: string,
    at: (p: ConfigPath) => SourceLocation,
    locateKey: (key: string) => SourceLocation,
    fallback?: string,
): T & { location: SourceLocation; fieldLocations: Readonly<Record<string, SourceLocation>> } {
    lazyProperty(pin, "location", () => at(base));
    lazyProperty(pin, "fieldLocations", () => {
        const fieldLocations: Record<string, SourceLocation> = {};
        for (const key of fields) fieldLocations[key] = locateKey(prefix + key);
        if (fallback && !fieldLocations[fallback]) fieldLocations[fallback] = at(base);
        return fieldLocations;
    });
    return pin as T & { location: SourceLocation; fieldLocations: Readonly<Record<string, SourceLocation>> };
}

/** An enumerable property computed once, on first read (so spreads and JSON see it as a value). */
function lazyProperty(target: object, key: string, compute: () => unknown): void {
    Object.defineProperty(target, key, {
        configurable: true,
        enumerable: true,
        get() {
            const value = compute();
            Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: false });
            return value;
        },
    });
}

function toPackagePin(name: string, raw: RawPackage, at: (p: ConfigPath) => SourceLocation, locateKey: (key: string) => SourceLocation): PackagePin {
    const base: ConfigPath = ["pinstack:packages", name];
    const pin = { name, version: raw.version, channel: raw.channel ?? "release", provenance: raw.provenance };
    return withLocations(pin, base, Object.keys(raw), `pinstack:packages.${name}.`, at, locateKey, "version");
}

function checkImage(raw: RawImage, base: ConfigPath, at: (p: ConfigPath) => SourceLocation, problems: ConfigProblem[]): void {
    const name = parseRepositoryName(raw.image);
    if (!name.ok) problems.push({ message: `invalid image: ${name.error}`, location: at([...base, "image"]) });
    checkTagAndDigest(raw, base, at, problems);
}

function checkTagAndDigest(raw: { tag?: string; digest?: string }, base: ConfigPath, at: (p: ConfigPath) => SourceLocation, problems: ConfigProblem[]): void {
    if (raw.tag !== undefined) {
        const problem = tagProblem(raw.tag);
        if (problem) problems.push({ message: `invalid tag: ${problem}`, location: at([...base, "tag"]) });
    }
    if (raw.digest !== undefined) {
        const problem = digestProblem(raw.digest);
        if (problem) problems.push({ message: `invalid digest: ${problem}`, location: at([...base, "digest"]) });
    }
}

/** The line to write instead: `tag: "1.20"`, or `- "1.20"` for a list item. */
function quotedForm(r: RetypedScalar): string {
    const last = r.path[r.path.length - 1];
    return `${typeof last === "number" ? "-" : `${last}:`} ${JSON.stringify(r.source)}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype;
}

/** One PinstackError for all problems: the first is the headline (with its location), the rest are listed. */
function problemsError(problems: readonly ConfigProblem[], fix = "correct the key in the stack file; `pinstack check` re-reads it"): PinstackError {
    const [first, ...rest] = problems;
    const more = rest.length
        ? `${rest.length} more problem${rest.length === 1 ? "" : "s"}:\n${rest.map((p) => `    ${formatLocation(p.location)}: ${p.message}`).join("\n")}`
        : undefined;
    return badInput(first.message, { why: more, fix, location: first.location });
}

