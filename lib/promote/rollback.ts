import { ConfigChange, planTextEdit, PlannedFileEdit } from "../config/write";
import { badInput, refused } from "../errors";
import { packagePinView, servicePinView } from "../format";
import { earlierPinsOf, isDeployment, packageIdentity, pinsOfUpdate, RawPin, UpdatePins } from "../history/deployed";
import { artifactOfEntry, containerLines, diffPin, samePin, swappedColors } from "../pin";
import { EXTRA_CONTAINER_LISTS, type Provenance, type SignatureRecord, type StackConfig, type Violation } from "../model";
import { packageSubject, SealSubject, sealedBeforeContainers, sealProvenance, verifySeal } from "../provenance";
import type { StackUpdate } from "../pulumi-cli";
import { effectivePreset, evaluateStack } from "../rules";
import { parseStackConfig, parseStackFileText, presetWithinFloor } from "../config";
import { checkReason, entrySubject, Environment, isoSeconds, isPlainObject, LastChange, optionalText as optional, PinMove, readStack, setOrDelete } from "./common";

/**
 * `pinstack rollback <stack> [--to N]`: the pins of an earlier good update, restored as a new
 * config change (so it is reviewed and recorded like any other), with `hold` set so that no
 * promotion overwrites it while the incident is open. Always allowed, on hold or not: the
 * rules are reported, never a reason to refuse getting back to what ran before.
 *
 * The update restored is `--to N`, or the newest successful `pulumi up` whose pins differ from
 * the file's now (the file's pins are the ones being rolled back, deployed or not). A service's
 * pin includes its init containers and sidecars: they are restored as that update ran them.
 */

export interface RollbackRequest {
    readonly stack: string;
    /** Update number (as `pinstack history` and `pulumi stack history` show it). */
    readonly to?: number;
    readonly reason: string;
}

export interface RollbackPlan {
    readonly stack: string;
    readonly update: StackUpdate;
    readonly moves: readonly PinMove[];
    readonly edit: PlannedFileEdit;
    /** Pins the update did not have (left as they are), for the report. */
    readonly skipped: readonly string[];
    readonly warnings: readonly Violation[];
}

export function planRollback(request: RollbackRequest, env: Environment): RollbackPlan {
    const reason = checkReason(request.reason);
    const loaded = readStack(env.dir, request.stack);
    const stack = loaded.config;
    // A rollback writes the file back with its settings: it must not carry a loosened floor along.
    presetWithinFloor(env.dir, stack);
    const updates = env.history(stack.stack);
    const update = pickUpdate(stack, updates, request.to);
    const restored = pinsOfUpdate(update);
    const now = isoSeconds(env.now);
    const { file, raw } = loaded;
    const stamp = { at: now, by: env.by, reason, rollback: true as const };
    const changes: ConfigChange[] = [];
    const moves: PinMove[] = [];
    const skipped: string[] = [];
    const unproven: Violation[] = [];

    const servicesRaw = isPlainObject(raw["pinstack:services"]) ? (raw["pinstack:services"] as Record<string, unknown>) : {};
    for (const current of stack.services) {
        const old = restored.services.get(current.name);
        if (!old) {
            skipped.push(`service ${current.name} (not in update ${update.version})`);
            continue;
        }
        if (samePin(artifactOfEntry(old), current, { digests: "exact" })) continue;
        const entry: Record<string, unknown> = isPlainObject(servicesRaw[current.name]) ? { ...(servicesRaw[current.name] as Record<string, unknown>) } : {};
        const image = String(old.image ?? current.image);
        const tag = optional(old.tag);
        const digest = optional(old.digest);
        entry.image = image;
        setOrDelete(entry, "tag", tag);
        setOrDelete(entry, "digest", digest);
        setOrDelete(entry, "version", optional(old.version));
        setOrDelete(entry, "commit", optional(old.commit));
        for (const list of EXTRA_CONTAINER_LISTS) {
            setOrDelete(entry, list, Array.isArray(old[list]) && old[list].length > 0 ? old[list] : undefined);
        }
        if (current.strategy === "blue-green") {
            if (current.previous && samePin({ image, ...current.previous }, { image, tag, digest }, { digests: "exact" })) {
                // The idle colour still runs the pin being restored: swap back; the Service selector
                // moves (and both colours' pods too when the restored containers differ).
                Object.assign(entry, swappedColors(current));
            } else {
                setOrDelete(entry, "previous", isPlainObject(old.previous) ? old.previous : undefined);
                setOrDelete(entry, "activeColor", optional(old.activeColor));
            }
        }
        const origin = originOf(old, "service", current.name);
        const from = origin?.from ?? stack.stack;
        const subject = entrySubject(current.name, entry);
        if (origin?.legacy) {
            const names = [...(subject.initContainers ?? []), ...(subject.sidecars ?? [])].map((c) => c.name).join(", ");
            unproven.push({
                rule: "provenance",
                level: "advisory",
                stack: stack.stack,
                subject: current.name,
                message: `service ${current.name}: update ${update.version} ran it under a seal written before seals covered init containers and sidecars, so nothing shows its containers (${names}) were promoted; this rollback seals them as restored — check them in review`,
            });
        }
        // The restored pin's signature records travel with it, still dated when promote verified them.
        const signatures = origin && !origin.legacy ? carriedSignatures(old.provenance) : undefined;
        const provenance = sealProvenance(subject, { from, ...stamp, ...(signatures ? { signatures } : {}) });
        delete entry.provenance;
        entry.provenance = provenance;
        changes.push({ path: ["pinstack:services", current.name], value: entry });
        const containers = containerLines(diffPin(current, artifactOfEntry(entry), current.scheme));
        moves.push({ kind: "service", name: current.name, change: "update", before: servicePinView(current), after: { image, tag, digest }, ...(containers.length > 0 ? { containers } : {}), provenance });
    }
    for (const name of restored.services.keys()) {
        if (!stack.services.some((s) => s.name === name)) skipped.push(`service ${name} (removed from ${stack.file} since update ${update.version}; add it back by hand)`);
    }

    const packagesRaw = isPlainObject(raw["pinstack:packages"]) ? (raw["pinstack:packages"] as Record<string, unknown>) : {};
    for (const current of stack.packages) {
        const old = restored.packages.get(current.name);
        if (!old) {
            skipped.push(`package ${current.name} (not in update ${update.version})`);
            continue;
        }
        if (packageIdentity(old) === current.version) continue;
        const version = String(old.version);
        const existing = packagesRaw[current.name];
        const entry: Record<string, unknown> = isPlainObject(existing) ? { ...existing } : {};
        entry.version = version;
        const from = originOf(old, "package", current.name)?.from ?? stack.stack;
        const provenance = sealProvenance(packageSubject({ name: current.name, version }), { from, ...stamp });
        entry.provenance = provenance;
        changes.push({ path: ["pinstack:packages", current.name], value: entry });
        moves.push({ kind: "package", name: current.name, change: "update", before: packagePinView(current), after: { version }, provenance });
    }

    changes.push({ path: ["pinstack:hold"], value: true });
    changes.push({ path: ["pinstack:holdReason"], value: `rollback to update ${update.version}: ${reason}` });
    const lastChange: LastChange = { command: "rollback", at: now, by: env.by, reason, update: update.version };
    changes.push({ path: ["pinstack:lastChange"], value: lastChange });
    const edit = planTextEdit(file, loaded.text, changes, { displayName: stack.file });
    const parsed = parseStackFileText(stack.file, edit.text);
    const after = parseStackConfig(stack.stack, stack.file, parsed.raw, parsed.locate, { secretKeys: parsed.secretKeys });
    const warnings = [...unproven, ...evaluateStack(after, effectivePreset(after), { previous: stack, earlier: earlierPinsOf(updates) })];
    return { stack: stack.stack, update, moves, edit, skipped, warnings };
}

function pickUpdate(stack: StackConfig, updates: readonly StackUpdate[], to: number | undefined): StackUpdate {
    if (to !== undefined) {
        const named = updates.find((u) => u.version === to);
        if (!named) {
            const versions = updates.map((u) => u.version).sort((a, b) => a - b);
            throw badInput(`stack ${stack.stack} has no update ${to}`, {
                why: versions.length ? `its updates are ${versions[0]}..${versions[versions.length - 1]}` : "it has no updates",
                fix: `pinstack history ${stack.stack} lists them`,
            });
        }
        if (named.kind !== "update" || named.result !== "succeeded") {
            throw refused(`update ${to} of ${stack.stack} is a ${named.result} ${named.kind}, not a successful deployment`, {
                fix: `roll back to an update that succeeded (pinstack history ${stack.stack})`,
            });
        }
        return named;
    }
    const good = updates.filter((u) => isDeployment(u) && u.kind === "update" && u.result === "succeeded");
    const candidate = good.find((u) => !runsStackPins(pinsOfUpdate(u), stack));
    if (!candidate) {
        throw refused(`stack ${stack.stack} has no earlier successful update with other pins to roll back to`, {
            why: good.length ? `its ${good.length} successful update(s) all ran the pins the file has now` : "it has no successful update",
            fix: `name one with --to N (pinstack history ${stack.stack}), or pin by hand`,
        });
    }
    return candidate;
}

/** The update runs every pin the stack file has now, and no other. */
function runsStackPins(pins: UpdatePins, stack: StackConfig): boolean {
    if (pins.services.size !== stack.services.length || pins.packages.size !== stack.packages.length) return false;
    const services = stack.services.every((s) => {
        const ran = pins.services.get(s.name);
        return ran !== undefined && samePin(artifactOfEntry(ran), s, { digests: "exact" });
    });
    return services && stack.packages.every((p) => packageIdentity(pins.packages.get(p.name)) === p.version);
}

/** The records of a provenance whose seal verified, each dated when it was verified. */
function carriedSignatures(provenance: unknown): SignatureRecord[] | undefined {
    const p = provenance as Provenance;
    if (!p.signatures?.length) return undefined;
    return p.signatures.map((s) => ({ ...s, verifiedAt: s.verifiedAt ?? p.at }));
}

/**
 * Where the restored pin originally came from: its sealed provenance's `from`, so production's
 * rule (promoted from staging) still holds. A seal written before seals covered containers is
 * taken for the pin it did cover (`legacy`: the caller warns): the update's recorded config is
 * what ran, and refusing its origin would leave a rollback that production's own rules refuse,
 * mid-incident.
 */
function originOf(pin: RawPin, kind: "service" | "package", name: string): { from: string; legacy: boolean } | undefined {
    const provenance = pin.provenance;
    if (!isPlainObject(provenance) || typeof provenance.from !== "string") return undefined;
    const subject: SealSubject = kind === "service" ? entrySubject(name, pin) : packageSubject({ name, version: String(pin.version) });
    if (verifySeal(subject, provenance as never)) return { from: provenance.from, legacy: false };
    if (sealedBeforeContainers(subject, provenance as never)) return { from: provenance.from, legacy: true };
    return undefined;
}
