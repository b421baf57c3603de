import * as path from "path";
import { fileOnlyLocator, listStacks, parseStackConfig, presetWithinFloor } from "../config";
import { FileChange, planTextEdit, PlannedFileEdit, ConfigChange, unifiedDiff, endsLinesWithCrlf } from "../config/write";
import { badInput, refused } from "../errors";
import { packagePinView, PinView, servicePinView } from "../format";
import { deploymentOf, finishedAt, packageIdentity, serviceIdentity } from "../history/deployed";
import { digestRecords, LedgerRecord, ledgerKey, readLedger, renderLedger, withRecords } from "../ledger";
import { stackFreeze, frozenRefusal } from "../freeze";
import { type BreakGlass, EXTRA_CONTAINER_LISTS, type ExtraContainer, type Gates, type PackagePin, type Provenance, type ServicePin, type SignatureRecord, type StackConfig, type Violation } from "../model";
import { pinnedImages, recordedSignatureProblems, signatureLevel, stackTrust, type Trust } from "../signing";
import { registryVerifier, SignatureOutcome, SignatureVerifier, verifyPromotedImages } from "./signatures";
import { packageSubject, SealSubject, sealProvenance, serviceSubject, verifySeal } from "../provenance";
import { artifactOfEntry, containerLines, diffPin, samePin, swappedColors } from "../pin";
import type { DigestResolver } from "../registry";
import { effectivePreset, evaluateStack } from "../rules";
import { checkReason, entrySubject, Environment, isoSeconds, isPlainObject, LastChange, LoadedStack, PinMove, readStack, refusal, setOrDelete, unknownPin, withChanges } from "./common";

/**
 * `pinstack promote <from> <to>`: copy chosen pins from one stack to the next as a reviewed
 * config change. Planning reads everything and decides; nothing is written until applyPlan,
 * and applyPlan writes the stack file and the ledger all-or-nothing.
 *
 * A promotion is refused (exit 1) when:
 *   - <to> is on hold (only rollbacks pass);
 *   - <to> is frozen (a declared window or `pinstack freeze`), unless breakGlass;
 *   - a pin was never successfully deployed on <from> (unless allowUndeployed, which is then
 *     recorded in the pin's provenance), or has not run there for <to>'s soakMinutes;
 *   - <to> requires digests and the registry's digest for the tag differs from one recorded
 *     before (the tag moved), or the registry cannot be asked;
 *   - the would-be file breaks one of <to>'s mandatory rules for a promoted pin;
 *   - <to> names trusted keys (pinstack:signing) and requires signed images, and an image a
 *     promoted pin would run has no valid cosign signature by one of them (./signatures).
 */

export interface PromoteRequest {
    readonly from: string;
    readonly to: string;
    /** Services to promote; with packages, none named means every pin of <from>. */
    readonly services?: readonly string[];
    readonly packages?: readonly string[];
    readonly reason: string;
    readonly allowUndeployed?: boolean;
    /** Let this one promotion through a freeze of <to>; the freeze is recorded in each pin's sealed provenance. */
    readonly breakGlass?: boolean;
    /** Gate results CI handed in (`--gates`), merged over the target's `pinstack:gates`. */
    readonly gates?: Gates;
    /** A gate result that is missing refuses (the default when results are handed in). */
    readonly strictGates?: boolean;
}

export interface PromotionPlan {
    readonly from: string;
    readonly to: string;
    readonly moves: readonly PinMove[];
    /** The stack file edit (absent when nothing moves). */
    readonly stackEdit?: PlannedFileEdit;
    /** The ledger update, when the promotion pins digests not recorded yet. */
    readonly ledgerChange?: FileChange;
    /** Unified diffs of every file the plan changes. */
    readonly diff: string;
    /** Advisory findings and mandatory ones on pins this promotion does not touch. */
    readonly warnings: readonly Violation[];
}

export async function planPromotion(request: PromoteRequest, env: Environment, resolver: DigestResolver, verifier: SignatureVerifier = registryVerifier): Promise<PromotionPlan> {
    const reason = checkReason(request.reason);
    if (request.from === request.to) throw badInput(`cannot promote ${request.from} to itself`, { fix: "name two different stacks, e.g. pinstack promote staging production" });
    const sourceStack = readStack(env.dir, request.from);
    const targetStack = readStack(env.dir, request.to);
    const source = sourceStack.config;
    const target = targetStack.config;
    const preset = presetWithinFloor(env.dir, target);
    const trust = stackTrust(target, preset, env.dir);

    const named = (request.services?.length ?? 0) + (request.packages?.length ?? 0) > 0;
    const services = named ? (request.services ?? []).map((name) => source.services.find((s) => s.name === name) ?? throwUnknown("service", name, source)) : source.services;
    const packages = named ? (request.packages ?? []).map((name) => source.packages.find((p) => p.name === name) ?? throwUnknown("package", name, source)) : source.packages;

    if (target.hold) {
        throw refused(`${target.stack} is on hold${target.holdReason ? ` (${target.holdReason})` : ""}: only rollbacks pass`, {
            why: "a rollback set the hold so that no promotion overwrites it while the incident is open",
            fix: `when the incident is over: pinstack hold ${target.stack} --clear --reason "..."`,
        });
    }

    const breakGlass = throughFreeze(source, target, env.now, request.breakGlass === true);

    const targetServices = new Map(target.services.map((s) => [s.name, s]));
    const targetPackages = new Map(target.packages.map((p) => [p.name, p]));
    const movingServices = services.filter((s) => {
        const target = targetServices.get(s.name);
        // The target's own containers stay as they are, so they do not make it differ.
        return !target || !samePin(s, target, { digests: "where-pinned", requireDigest: preset.requireDigest, extraInHave: "ignore" });
    });
    // The same artifact already in <to>, but without a provenance from <from> that verifies
    // (typed in, or sealed before seals covered containers): its provenance is written afresh,
    // and nothing else about it changes. Otherwise the rule that refuses it would ask for a
    // promotion that has nothing to do.
    const resealing = services.filter((s) => {
        if (movingServices.includes(s)) return false;
        const current = targetServices.get(s.name)!; // not moving: the target has it
        // Promoted before the stack trusted keys, or by a key since removed: verified and recorded afresh.
        const unsigned = trust !== undefined && signatureLevel(preset) === "mandatory" && recordedSignatureProblems(pinnedImages(current), current.provenance, trust).length > 0;
        return unsigned || !provenanceHolds(current, serviceSubject(current), source.stack);
    });
    const movingPackages = packages.filter((p) => {
        const current = targetPackages.get(p.name);
        return current?.version !== p.version || !provenanceHolds(current, packageSubject(current), source.stack);
    });
    if (movingServices.length === 0 && resealing.length === 0 && movingPackages.length === 0) {
        return { from: source.stack, to: target.stack, moves: [], diff: "", warnings: [] };
    }

    const now = isoSeconds(env.now);
    const deployed = request.allowUndeployed ? new Map<string, PinMove["deployedSince"]>() : checkDeployed(source, target, [...movingServices, ...resealing], movingPackages, preset.soakMinutes, env);
    const stamp = { from: source.stack, at: now, by: env.by, reason, ...(request.allowUndeployed ? { allowUndeployed: true } : {}), ...(breakGlass ? { breakGlass } : {}) };
    const edit = (digests: ReadonlyMap<string, { digest: string }>, signatures: ReadonlyMap<string, readonly SignatureRecord[]> = new Map()) => {
        const stampOf = (service: string) => {
            const records = signatures.get(service);
            return records?.length ? { ...stamp, signatures: records } : stamp;
        };
        const changes: ConfigChange[] = [];
        const moves: PinMove[] = [];
        for (const pin of movingServices) {
            const current = targetServices.get(pin.name);
            const secretPrefix = `pinstack:services.${pin.name}.`;
            if (!current && sourceStack.secretKeys.some((k) => k.startsWith(secretPrefix))) {
                throw refused(`service ${pin.name} has secrets in ${source.file}; pinstack cannot copy them to ${target.stack}`, {
                    why: "each stack's secrets are encrypted with its own key",
                    fix: `add service ${pin.name} to ${target.file} by hand (its secrets with \`pulumi config set --secret -s ${target.stack}\`), then promote it`,
                });
            }
            const digest = digests.get(pin.name)?.digest ?? pin.digest;
            const value = promotedService(pin, current, sectionOf(targetStack.raw, "services")[pin.name], sectionOf(sourceStack.raw, "services")[pin.name], digest, digests, stampOf(pin.name));
            changes.push({ path: ["pinstack:services", pin.name], value: value.raw });
            const containers = current ? containerLines(diffPin(current, artifactOfEntry(value.raw), pin.scheme)) : [];
            moves.push({
                kind: "service",
                name: pin.name,
                change: current ? "update" : "add",
                before: current ? servicePinView(current) : null,
                after: { image: pin.image, tag: pin.tag, digest },
                ...(containers.length > 0 ? { containers } : {}),
                provenance: value.provenance,
                resolvedDigest: digests.get(pin.name)?.digest,
                deployedSince: deployed.get(`service:${pin.name}`),
            });
        }
        for (const pin of resealing) {
            const current = targetServices.get(pin.name)!;
            const raw = { ...(sectionOf(targetStack.raw, "services")[pin.name] as Record<string, unknown>) };
            delete raw.provenance;
            const provenance = sealProvenance(entrySubject(pin.name, raw), stampOf(pin.name));
            raw.provenance = provenance;
            changes.push({ path: ["pinstack:services", pin.name], value: raw });
            moves.push({ kind: "service", name: pin.name, change: "update", before: servicePinView(current), after: servicePinView(current), provenance, deployedSince: deployed.get(`service:${pin.name}`) });
        }
        for (const pin of movingPackages) {
            const current = targetPackages.get(pin.name);
            const provenance = sealProvenance(packageSubject(pin), stamp);
            const existing = sectionOf(targetStack.raw, "packages")[pin.name];
            const base: Record<string, unknown> = isPlainObject(existing) ? { ...existing } : existing !== undefined ? { version: String(existing) } : {};
            base.version = pin.version;
            base.provenance = provenance;
            changes.push({ path: ["pinstack:packages", pin.name], value: base });
            moves.push({ kind: "package", name: pin.name, change: current ? "update" : "add", before: current ? packagePinView(current) : null, after: packagePinView(pin), provenance, deployedSince: deployed.get(`package:${pin.name}`) });
        }
        const lastChange: LastChange = { command: "promote", at: now, by: env.by, reason, from: source.stack };
        changes.push({ path: ["pinstack:lastChange"], value: lastChange });
        return { changes, moves };
    };

    // The rules first, on the pins as written in <from>: a tag the target refuses (latest, a
    // release candidate in production) is reported as that, not as whatever the registry says
    // about it. Only what asking the registry supplies (a digest) is left for the second check.
    const early = edit(new Map());
    checkRules(target, withChanges(targetStack.values, early.changes), targetStack.secretKeys, target.file, early.moves, preset.requireDigest ? ["digest-required"] : [], undefined, request);
    const digests = await resolveDigests(env.dir, [sourceStack, targetStack], movingServices, preset.requireDigest, resolver);
    // Signatures last: they are asked for the digests the pins will carry, every image the pod will run.
    let signed: SignatureOutcome | undefined;
    if (trust) {
        const entries = edit(digests).changes.filter((c) => c.path[0] === "pinstack:services").map((c) => ({ name: c.path[1], raw: c.value as Record<string, unknown> }));
        signed = await verifyPromotedImages(target, signatureLevel(preset), trust, entries, env.now, verifier);
    }
    const { changes, moves } = edit(digests, signed?.records);

    const display = target.file;
    const stackEdit = planTextEdit(targetStack.file, targetStack.text, changes, { displayName: display });
    const checked = checkRules(target, withChanges(targetStack.values, changes), targetStack.secretKeys, display, moves, [], trust, request);
    // The verification's own warnings say why an image is unsigned; the rule's would only repeat that it is.
    const verified = new Set(moves.map((m) => m.name));
    const warnings = [...(signed?.warnings ?? []), ...checked.filter((v) => !(signed && v.rule === "signed-images" && v.subject !== undefined && verified.has(v.subject)))];

    const ledgerChange = ledgerUpdate(env.dir, moves, target.stack, source.stack, now, env.by);
    const diff = stackEdit.diff + (ledgerChange ? unifiedDiff(path.basename(ledgerChange.file), (ledgerChange.expected ?? "").replace(/\r\n/g, "\n"), ledgerChange.text.replace(/\r\n/g, "\n")) : "");
    return { from: source.stack, to: target.stack, moves, stackEdit, ledgerChange, diff, warnings };
}

/**
 * A frozen <to> refuses the promotion, unless it breaks the glass: then the freeze it goes
 * through, for each pin's provenance. Breaking the glass where there is no freeze is bad input.
 */
function throughFreeze(source: StackConfig, target: StackConfig, now: Date, breakGlass: boolean): BreakGlass | undefined {
    const freeze = stackFreeze(target, now);
    if (freeze && !breakGlass) throw frozenRefusal(target.stack, freeze, `cannot promote ${source.stack} -> ${target.stack}`);
    if (!freeze && breakGlass) throw badInput(`--break-glass: ${target.stack} is not frozen at ${isoSeconds(now)}`, { fix: "promote without --break-glass: there is no freeze to go through" });
    return freeze ? { freeze: freeze.name, ...(freeze.until ? { until: isoSeconds(freeze.until) } : {}) } : undefined;
}

/** True when the pin carries a provenance from `from` whose seal verifies for it as it is. */
function provenanceHolds(pin: ServicePin | PackagePin, subject: SealSubject, from: string): boolean {
    return pin.provenance !== undefined && pin.provenance.from === from && verifySeal(subject, pin.provenance);
}

function throwUnknown(kind: "service" | "package", name: string, stack: StackConfig): never {
    throw unknownPin(kind, name, stack);
}

function sectionOf(raw: Record<string, unknown>, name: "services" | "packages"): Record<string, unknown> {
    const section = raw[`pinstack:${name}`];
    return isPlainObject(section) ? section : {};
}

/** A service's init containers and sidecars by `<list>/<name>` (a container name cannot hold '/'). */
function extraContainers(pin: ServicePin): Map<string, ExtraContainer> {
    const out = new Map<string, ExtraContainer>();
    for (const list of EXTRA_CONTAINER_LISTS) for (const container of pin[list] ?? []) out.set(`${list}/${container.name}`, container);
    return out;
}

/** Key of an extra container's digest in the resolved-digest map (service names cannot hold '/' either). */
const extraKey = (service: string, key: string) => `${service}/${key}`;

/** The target's service entry after the promotion: its own settings, the source's artifact, a fresh sealed provenance. */
function promotedService(
    pin: ServicePin,
    current: ServicePin | undefined,
    targetRaw: unknown,
    sourceRaw: unknown,
    digest: string | undefined,
    digests: ReadonlyMap<string, { digest: string }>,
    stamp: Omit<Provenance, "seal">,
): { raw: Record<string, unknown>; provenance: Provenance } {
    const raw: Record<string, unknown> = current && isPlainObject(targetRaw) ? { ...targetRaw } : isPlainObject(sourceRaw) ? { ...sourceRaw } : { image: pin.image };
    if (!current) {
        // A new service starts on the default colour with nothing to fall back to.
        delete raw.previous;
        delete raw.activeColor;
    }
    raw.image = pin.image;
    setOrDelete(raw, "tag", pin.tag);
    setOrDelete(raw, "digest", digest);
    // version and commit describe the artifact, so they travel with it (or go when it has none).
    setOrDelete(raw, "version", pin.version);
    setOrDelete(raw, "commit", pin.commit);
    if (current && current.strategy === "blue-green") {
        // Blue-green: the new pin goes to the idle colour, the old one stays as `previous` for a fast switch back.
        Object.assign(raw, swappedColors(current));
    }
    // The source's init containers and sidecars travel with the service, each with its resolved
    // digest; containers only the target has (its own, e.g. a production-only proxy) stay.
    for (const list of EXTRA_CONTAINER_LISTS) {
        const from = pin[list] ?? [];
        if (from.length === 0) continue;
        const merged = Array.isArray(raw[list]) ? (raw[list] as unknown[]).filter(isPlainObject).map((c) => ({ ...c })) : [];
        for (const container of from) {
            const at = merged.findIndex((c) => c.name === container.name);
            const entry: Record<string, unknown> = { ...(at >= 0 ? merged[at] : {}), name: container.name, image: container.image };
            setOrDelete(entry, "tag", container.tag);
            setOrDelete(entry, "digest", digests.get(extraKey(pin.name, `${list}/${container.name}`))?.digest ?? container.digest);
            if (at >= 0) merged[at] = entry;
            else merged.push(entry);
        }
        raw[list] = merged;
    }
    // Sealed as written: the service's pin and every container it runs, the target's own included.
    const provenance = sealProvenance(entrySubject(pin.name, raw), stamp);
    delete raw.provenance;
    raw.provenance = provenance;
    return { raw, provenance };
}

/** Deployment and soak evidence from <from>'s update history; refuses with every pin that lacks it. */
function checkDeployed(source: StackConfig, target: StackConfig, services: readonly ServicePin[], packages: readonly PackagePin[], soakMinutes: number, env: Environment): Map<string, PinMove["deployedSince"]> {
    const updates = env.history(source.stack);
    const out = new Map<string, PinMove["deployedSince"]>();
    const problems: string[] = [];
    const check = (kind: "service" | "package", name: string, identity: string, shown: string) => {
        const evidence = deploymentOf(updates, kind, name, identity);
        if (!evidence.deployed) {
            problems.push(`${kind} ${name} ${shown} was never successfully deployed on ${source.stack}: ${evidence.why}`);
            return;
        }
        const soakedMs = env.now.getTime() - finishedAt(evidence.since);
        if (soakedMs < soakMinutes * 60_000) {
            const minutes = Math.max(0, Math.floor(soakedMs / 60_000));
            problems.push(`${kind} ${name} ${shown} has run on ${source.stack} for ${minutes} min (since update ${evidence.since.version}); ${target.stack} needs ${soakMinutes} min of soak`);
            return;
        }
        out.set(`${kind}:${name}`, { version: evidence.since.version, at: evidence.since.endTime ?? evidence.since.startTime });
    };
    for (const pin of services) check("service", pin.name, serviceIdentity(pin as unknown as Record<string, unknown>), pin.tag ?? pin.digest ?? "");
    for (const pin of packages) check("package", pin.name, packageIdentity({ version: pin.version }), pin.version);
    if (problems.length > 0) {
        throw refusal(`cannot promote ${source.stack} -> ${target.stack}`, problems, `deploy ${source.stack} (pulumi up -s ${source.stack}) and let it soak, or pass --allow-undeployed to promote anyway (recorded in the provenance)`);
    }
    return out;
}

/**
 * Digests for the moving services: resolved through the registry where the target requires
 * digests, and checked against every digest recorded for the same tag (the ledger and the
 * stack files) — a tag that now names another digest was re-pushed, and is refused.
 */
async function resolveDigests(
    dir: string,
    [sourceStack, targetStack]: readonly [LoadedStack, LoadedStack],
    services: readonly ServicePin[],
    requireDigest: boolean,
    resolver: DigestResolver,
): Promise<Map<string, { digest: string }>> {
    const source = sourceStack.config;
    const target = targetStack.config;
    const out = new Map<string, { digest: string }>();
    if (!requireDigest && !services.some((s) => [s, ...extraContainers(s).values()].some((c) => c.digest && c.tag))) return out;
    const { ledger } = readLedger(dir);
    // Every stack's pins count as records of tag -> digest; the two already read are not read again.
    const stacks = listStacks(dir).map((name) => (name === source.stack ? source : name === target.stack ? target : readStack(dir, name).config));
    const recorded = digestRecords(ledger, stacks);
    const problems: string[] = [];
    // Each service's image, then its init containers' and sidecars'.
    const subjects = services.flatMap((pin) => [
        { key: pin.name, image: pin.image, tag: pin.tag, digest: pin.digest },
        ...[...extraContainers(pin)].map(([key, c]) => ({ key: extraKey(pin.name, key), image: c.image, tag: c.tag, digest: c.digest })),
    ]);
    for (const pin of subjects) {
        if (!pin.tag) continue;
        const ref = `${pin.image}:${pin.tag}`;
        let digest = pin.digest;
        if (requireDigest) {
            const resolved = await resolver(pin.image, pin.tag);
            if (pin.digest && pin.digest !== resolved.digest) {
                problems.push(`tag moved: ${ref} is pinned in ${source.file} at ${pin.digest}, but the registry now gives ${resolved.digest}`);
                continue;
            }
            digest = resolved.digest;
            out.set(pin.key, { digest });
        }
        if (!digest) continue;
        for (const evidence of recorded(pin.image, pin.tag)) {
            if (evidence.digest !== digest) {
                problems.push(`tag moved: ${ref} was recorded as ${evidence.digest} in ${evidence.where}, but ${requireDigest ? "the registry now gives" : `${source.file} pins`} ${digest}`);
                break;
            }
        }
    }
    if (problems.length > 0) {
        throw refusal(`cannot promote ${source.stack} -> ${target.stack}`, problems, "tags must not move: publish the rebuilt image under a new tag and promote that");
    }
    return out;
}

/**
 * Rules on the would-be config (the file as it would be written: the edit was checked to mean
 * exactly these values); refuses on mandatory findings about the promoted pins or the stack as
 * a whole. Messages name file and key: the would-be file has no lines on disk to point at yet.
 */
function checkRules(
    target: StackConfig,
    values: Readonly<Record<string, unknown>>,
    secretKeys: readonly string[],
    display: string,
    moves: readonly PinMove[],
    deferred: readonly string[] = [],
    trust?: Trust,
    gating: { readonly gates?: Gates; readonly strictGates?: boolean } = {},
): Violation[] {
    const wouldBe = parseStackConfig(target.stack, display, values, fileOnlyLocator(display), { secretKeys });
    const violations = evaluateStack(wouldBe, effectivePreset(wouldBe), { previous: target, ...(trust ? { trust } : {}), ...(gating.gates ? { gates: gating.gates } : {}), strictGates: gating.strictGates }).filter((v) => !deferred.includes(v.rule));
    const moved = new Set(moves.map((m) => m.name));
    const blocking = violations.filter((v) => v.level === "mandatory" && (v.subject === undefined || moved.has(v.subject)));
    if (blocking.length > 0) {
        throw refusal(
            `the promotion would break ${target.stack}'s rules`,
            blocking.map((v) => `[${v.rule}] ${v.message}`),
            "promote a pin the target's rules accept (pinstack check --stack <to> shows the rules), or fix the source pin first",
        );
    }
    return violations.filter((v) => !blocking.includes(v));
}

function ledgerUpdate(dir: string, moves: readonly PinMove[], stack: string, from: string, at: string, by: string): FileChange | undefined {
    const loaded = readLedger(dir);
    const records: Record<string, LedgerRecord> = {};
    for (const move of moves) {
        if (move.kind !== "service" || !move.after.tag || !move.after.digest || !move.after.image) continue;
        const key = ledgerKey(move.after.image, move.after.tag);
        if (!loaded.ledger.tags[key]) records[key] = { digest: move.after.digest, at, by, stack, from };
    }
    if (Object.keys(records).length === 0) return undefined;
    const text = renderLedger(withRecords(loaded.ledger, records));
    // A ledger checked out with CRLF endings stays CRLF, so the diff is the new records only.
    return { file: loaded.file, expected: loaded.text, text: loaded.text !== null && endsLinesWithCrlf(loaded.text) ? text.replace(/\n/g, "\r\n") : text };
}

export type { PinView };
