import type { PinComparison, PinView } from "../format";
import type { PackagePin, ServicePin, StackConfig } from "../model";
import { diffPin, direction } from "../pin";
import { packageSubject, serviceSubject, verifySeal } from "../provenance";

/**
 * What a change to one stack file does to its pins: the base version of
 * `Pulumi.<stack>.yaml` against the working copy, as rows of the pull request comment. The
 * diff of each service is lib/pin's diffPin (exact: a digest dropped is a change); a row
 * (lib/format's PinComparison, the row `pinstack diff` shows too) adds what review needs besides:
 * the provenance and whether its seal holds. A value that is `secure:` on either side is shown
 * as [secret].
 */

/** Shown instead of any value that is `secure:` in the stack file. */
export const SECRET_TEXT = "[secret]";

/**
 * Pin changes from `base` (undefined: the stack file is new) to `head`, services first,
 * each group in head's order, removed pins last.
 */
export function reviewChanges(base: StackConfig | undefined, head: StackConfig): PinComparison[] {
    const changes: PinComparison[] = [];
    const secret = secretFields(base, head);
    const baseServices = new Map((base?.services ?? []).map((s) => [s.name, s]));
    for (const pin of head.services) {
        const old = baseServices.get(pin.name);
        const change = serviceChange(old, pin, secret);
        if (change) changes.push(change);
    }
    const basePackages = new Map((base?.packages ?? []).map((p) => [p.name, p]));
    for (const pin of head.packages) {
        const old = basePackages.get(pin.name);
        const change = packageChange(old, pin, secret);
        if (change) changes.push(change);
    }
    const headServices = new Set(head.services.map((s) => s.name));
    for (const old of base?.services ?? []) {
        if (headServices.has(old.name)) continue;
        changes.push({ kind: "service", name: old.name, change: "remove", before: serviceView(old, secret), after: null, direction: "unordered", notes: [] });
    }
    const headPackages = new Set(head.packages.map((p) => p.name));
    for (const old of base?.packages ?? []) {
        if (headPackages.has(old.name)) continue;
        changes.push({ kind: "package", name: old.name, change: "remove", before: packageView(old, secret), after: null, direction: "unordered", notes: [] });
    }
    return changes;
}

type SecretMask = (field: string, value: string | undefined) => string | undefined;

/**
 * parseStackFileText drops `secure:` values and lists their keys; a pin field that is
 * secret on either side is shown as [secret], never as "absent".
 */
function secretFields(base: StackConfig | undefined, head: StackConfig): SecretMask {
    const keys = new Set([...(base?.secretKeys ?? []), ...head.secretKeys]);
    const isSecret = (field: string) => {
        const key = `pinstack:${field}`;
        for (const secretKey of keys) {
            if (secretKey === key || key.startsWith(`${secretKey}.`) || secretKey.startsWith(`${key}.`) || secretKey.startsWith(`${key}[`)) return true;
        }
        return false;
    };
    return (field, value) => (isSecret(field) ? SECRET_TEXT : value);
}

/** The main image of a service pin, each field masked where it is secret. */
function serviceView(pin: ServicePin, secret: SecretMask): PinView {
    const field = (name: string, value: string | undefined) => secret(`services.${pin.name}.${name}`, value);
    return { image: field("image", pin.image), tag: field("tag", pin.tag), digest: field("digest", pin.digest) };
}

function packageView(pin: PackagePin, secret: SecretMask): PinView {
    return { version: secret(`packages.${pin.name}.version`, pin.version) };
}

function serviceChange(old: ServicePin | undefined, pin: ServicePin, secret: SecretMask): PinComparison | undefined {
    const sealValid = pin.provenance ? verifySeal(serviceSubject(pin), pin.provenance) : undefined;
    const review = { provenance: pin.provenance, ...(sealValid === undefined ? {} : { sealValid }) };
    if (!old) {
        return { kind: "service", name: pin.name, change: "add", before: null, after: serviceView(pin, secret), direction: "unordered", notes: [], ...review, provenanceOnly: false };
    }
    const diff = diffPin(old, pin, pin.scheme);
    const containers = diff.containers.map((line) => secret(`services.${pin.name}.${line.list}`, line.text) ?? "");
    const artifactChanged = !diff.same;
    const provenanceChanged = JSON.stringify(old.provenance ?? null) !== JSON.stringify(pin.provenance ?? null);
    if (!artifactChanged && !provenanceChanged) return undefined;
    return {
        kind: "service",
        name: pin.name,
        change: "update",
        before: serviceView(old, secret),
        after: serviceView(pin, secret),
        direction: diff.direction,
        notes: [],
        ...(containers.length > 0 ? { containers } : {}),
        ...review,
        provenanceOnly: !artifactChanged,
    };
}

function packageChange(old: PackagePin | undefined, pin: PackagePin, secret: SecretMask): PinComparison | undefined {
    const sealValid = pin.provenance ? verifySeal(packageSubject(pin), pin.provenance) : undefined;
    const review = { provenance: pin.provenance, ...(sealValid === undefined ? {} : { sealValid }) };
    if (!old) {
        return { kind: "package", name: pin.name, change: "add", before: null, after: packageView(pin, secret), direction: "unordered", notes: [], ...review, provenanceOnly: false };
    }
    const artifactChanged = old.version !== pin.version || old.channel !== pin.channel;
    const provenanceChanged = JSON.stringify(old.provenance ?? null) !== JSON.stringify(pin.provenance ?? null);
    if (!artifactChanged && !provenanceChanged) return undefined;
    return {
        kind: "package",
        name: pin.name,
        change: "update",
        before: packageView(old, secret),
        after: packageView(pin, secret),
        direction: direction("pep440", old.version, pin.version),
        notes: [],
        ...review,
        provenanceOnly: !artifactChanged,
    };
}
