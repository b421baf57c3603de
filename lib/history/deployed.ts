import { artifactOfEntry, CONTAINER_KIND, EXTRA_CONTAINER_LISTS, pinKey, shortPin } from "../pin";
import type { StackUpdate } from "../pulumi-cli";
import { collectEarlierPins, type EarlierPins } from "../rules/hold-pins";

/**
 * What a Pulumi update deployed. `pulumi stack history --json` records, for every update, the
 * stack config it ran with (the file backend stores it with each update; secrets stay
 * encrypted and are left out). pinstack's pins are config, so the pins of update N are the
 * `pinstack:services` / `pinstack:packages` values in its recorded config: exact, per update,
 * and available offline. The program's `pins` output says the same for the latest update only
 * (`pulumi stack export --version` is not offered by the file backend), so history is read
 * from the config.
 */

/** A service or package pin as written in config, plain data. */
export type RawPin = Readonly<Record<string, unknown>>;

export interface UpdatePins {
    readonly services: ReadonlyMap<string, RawPin>;
    readonly packages: ReadonlyMap<string, RawPin>;
    readonly hold: boolean;
}

/** The pins an update ran with. */
export function pinsOfUpdate(update: StackUpdate, project = "pinstack"): UpdatePins {
    const services = objectConfig(update, `${project}:services`);
    const packages = objectConfig(update, `${project}:packages`);
    const holdValue = update.config[`${project}:hold`]?.value;
    return {
        services: new Map(Object.entries(services).filter(([, v]) => isObject(v)) as [string, RawPin][]),
        packages: new Map(Object.entries(packages).map(([name, v]) => [name, isObject(v) ? (v as RawPin) : { version: String(v) }])),
        hold: holdValue === "true",
    };
}

function objectConfig(update: StackUpdate, key: string): Record<string, unknown> {
    const entry = update.config[key];
    if (!entry || entry.secret) return {};
    if (isObject(entry.objectValue)) return entry.objectValue as Record<string, unknown>;
    if (typeof entry.value === "string" && entry.value.trim().startsWith("{")) {
        try {
            const parsed = JSON.parse(entry.value);
            return isObject(parsed) ? parsed : {};
        } catch {
            return {};
        }
    }
    return {};
}

function isObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** What identifies a service's artifact in recorded config: lib/pin's pinKey of the entry. */
export function serviceIdentity(pin: RawPin | undefined): string {
    return pin ? pinKey(artifactOfEntry(pin)) : "";
}

/** What identifies a package pin. */
export function packageIdentity(pin: RawPin | undefined): string {
    return pin ? text(pin.version) : "";
}

function text(value: unknown): string {
    return value === undefined || value === null ? "" : String(value);
}

/** Updates that deploy config (`pulumi up`); refresh and preview do not change what runs. */
export function isDeployment(update: StackUpdate): boolean {
    return update.kind === "update" || update.kind === "destroy";
}

export type DeploymentEvidence =
    | { readonly deployed: true; readonly since: StackUpdate; readonly latest: StackUpdate }
    | { readonly deployed: false; readonly why: string };

/**
 * Whether a pin runs on the stack, and since which update: the newest successful deployment
 * must run it, and the soak clock starts at the end of the oldest update of that unbroken run
 * (a pin deployed, replaced and deployed again soaks from the second time).
 */
export function deploymentOf(updates: readonly StackUpdate[], kind: "service" | "package", name: string, identity: string): DeploymentEvidence {
    const successful = updates.filter((u) => isDeployment(u) && u.result === "succeeded");
    if (successful.length === 0) return { deployed: false, why: "the stack has no successful update" };
    let since: StackUpdate | undefined;
    for (const update of successful) {
        if (update.kind === "destroy") break;
        if (identityIn(update, kind, name) !== identity) break;
        since = update;
    }
    const latest = successful[0];
    if (since) return { deployed: true, since, latest };
    if (latest.kind === "destroy") return { deployed: false, why: `the stack was destroyed in update ${latest.version} (${latest.startTime})` };
    const pins = pinsOfUpdate(latest);
    const running = kind === "service" ? describeService(pins.services.get(name)) : pins.packages.get(name)?.version;
    // A rollout that failed with this very pin is the reason a person needs first.
    const failed = updates.find((u) => isDeployment(u) && u.kind === "update" && u.result === "failed" && identityIn(u, kind, name) === identity);
    return {
        deployed: false,
        why: [
            ...(failed ? [`update ${failed.version} (${failed.startTime}) ran it and failed`] : []),
            `its last successful update (${latest.version}, ${latest.startTime}) ran ${running ? `${kind} ${name} at ${running}` : `no ${kind} ${name}`}`,
        ].join("; "),
    };
}

function identityIn(update: StackUpdate, kind: "service" | "package", name: string): string {
    const pins = pinsOfUpdate(update);
    return kind === "service" ? serviceIdentity(pins.services.get(name)) : packageIdentity(pins.packages.get(name));
}

export function describeService(pin: RawPin | undefined): string | undefined {
    if (!pin) return undefined;
    const artifact = artifactOfEntry(pin);
    const containers = EXTRA_CONTAINER_LISTS.filter((list) => (artifact[list] ?? []).length > 0).map(
        (list) => `${CONTAINER_KIND[list]}s ${(artifact[list] ?? []).map((c) => `${c.name}=${shortPin(c)}`).join(", ")}`,
    );
    const own = shortPin(artifact);
    return containers.length > 0 ? `${own} with ${containers.join(" and ")}` : own;
}

/**
 * Every pin the stack's successful `pulumi up`s ran, from the config each recorded: what hold
 * lets a stack return to. Failed updates do not count (what they left running is unknown),
 * nor do pins recorded as secrets (nothing to compare).
 */
export function earlierPinsOf(updates: readonly StackUpdate[]): EarlierPins {
    const ran = updates.filter((u) => u.kind === "update" && u.result === "succeeded").map((u) => pinsOfUpdate(u));
    return collectEarlierPins(
        ran.map((pins) => ({
            services: new Map([...pins.services].map(([name, pin]) => [name, artifactOfEntry(pin)])),
            packages: new Map([...pins.packages].map(([name, pin]) => [name, packageIdentity(pin)])),
        })),
    );
}

/** When an update finished (its start when it has no end), in ms. */
export function finishedAt(update: StackUpdate): number {
    return Date.parse(update.endTime ?? update.startTime);
}
