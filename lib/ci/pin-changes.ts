import type { PackagePin, Provenance, ServicePin, StackConfig } from "../model";
import { diffPin, direction, type Direction } from "../pin";
import { packageSubject, serviceSubject, verifySeal } from "../provenance";

/**
 * What a change to one stack file does to its pins: the base version of
 * `Pulumi.<stack>.yaml` against the working copy, as rows of the pull request comment. The
 * diff of each service is lib/pin's diffPin (exact: a digest dropped is a change); a row adds
 * what review needs besides, the provenance and whether its seal holds.
 */

/** Shown instead of any value that is `secure:` in the stack file. */
export const SECRET_TEXT = "[secret]";

/** One row of the pull request comment's pin table: lib/pin's diffPin, plus provenance and its seal. */
export interface ReviewChange {
    readonly kind: "service" | "package";
    /** Service or package name. */
    readonly subject: string;
    readonly change: "added" | "removed" | "changed";
    /** Tag (service) or version (package) before; undefined when added or when there was none. */
    readonly from?: string;
    readonly to?: string;
    /** Image repository before and after, when it changed. */
    readonly imageFrom?: string;
    readonly imageTo?: string;
    readonly digestFrom?: string;
    /** The digest pinned after the change. */
    readonly digest?: string;
    /** Provenance of the pin after the change (written by `pinstack promote` / `rollback`). */
    readonly provenance?: Provenance;
    /** Whether the provenance seal matches this pin; undefined when there is no provenance. */
    readonly sealValid?: boolean;
    /** For ordered schemes: the move is forward, backward, or cannot be ordered. */
    readonly direction: Direction;
    /** Only the provenance changed (the same artifact promoted again). */
    readonly provenanceOnly: boolean;
    /**
     * What changed in the service's init containers and sidecars, one line each
     * (`sidecar proxy: 2.0.1 → 2.0.2`); absent when nothing did. They run in the service's
     * pods, so a change to one alone is a pin change.
     */
    readonly containers?: readonly string[];
}

/**
 * Pin changes from `base` (undefined: the stack file is new) to `head`, services first,
 * each group in head's order, removed pins last.
 */
export function diffPins(base: StackConfig | undefined, head: StackConfig): ReviewChange[] {
    const changes: ReviewChange[] = [];
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
        changes.push({
            kind: "service",
            subject: old.name,
            change: "removed",
            from: secret(`services.${old.name}.tag`, old.tag),
            digestFrom: secret(`services.${old.name}.digest`, old.digest),
            direction: "unordered",
            provenanceOnly: false,
        });
    }
    const headPackages = new Set(head.packages.map((p) => p.name));
    for (const old of base?.packages ?? []) {
        if (headPackages.has(old.name)) continue;
        changes.push({
            kind: "package",
            subject: old.name,
            change: "removed",
            from: secret(`packages.${old.name}.version`, old.version),
            direction: "unordered",
            provenanceOnly: false,
        });
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

function serviceChange(old: ServicePin | undefined, pin: ServicePin, secret: SecretMask): ReviewChange | undefined {
    const field = (name: string, value: string | undefined) => secret(`services.${pin.name}.${name}`, value);
    const sealValid = pin.provenance ? verifySeal(serviceSubject(pin), pin.provenance) : undefined;
    if (!old) {
        return {
            kind: "service",
            subject: pin.name,
            change: "added",
            to: field("tag", pin.tag),
            imageTo: field("image", pin.image),
            digest: field("digest", pin.digest),
            provenance: pin.provenance,
            sealValid,
            direction: "unordered",
            provenanceOnly: false,
        };
    }
    const diff = diffPin(old, pin, pin.scheme);
    const containers = diff.containers.map((line) => secret(`services.${pin.name}.${line.list}`, line.text) ?? "");
    const artifactChanged = !diff.same;
    const provenanceChanged = JSON.stringify(old.provenance ?? null) !== JSON.stringify(pin.provenance ?? null);
    if (!artifactChanged && !provenanceChanged) return undefined;
    return {
        kind: "service",
        subject: pin.name,
        change: "changed",
        from: field("tag", old.tag),
        to: field("tag", pin.tag),
        imageFrom: old.image !== pin.image ? field("image", old.image) : undefined,
        imageTo: old.image !== pin.image ? field("image", pin.image) : undefined,
        digestFrom: field("digest", old.digest),
        digest: field("digest", pin.digest),
        provenance: pin.provenance,
        sealValid,
        direction: diff.direction,
        provenanceOnly: !artifactChanged,
        ...(containers.length > 0 ? { containers } : {}),
    };
}

function packageChange(old: PackagePin | undefined, pin: PackagePin, secret: SecretMask): ReviewChange | undefined {
    const field = (name: string, value: string | undefined) => secret(`packages.${pin.name}.${name}`, value);
    const sealValid = pin.provenance ? verifySeal(packageSubject(pin), pin.provenance) : undefined;
    if (!old) {
        return { kind: "package", subject: pin.name, change: "added", to: field("version", pin.version), provenance: pin.provenance, sealValid, direction: "unordered", provenanceOnly: false };
    }
    const artifactChanged = old.version !== pin.version || old.channel !== pin.channel;
    const provenanceChanged = JSON.stringify(old.provenance ?? null) !== JSON.stringify(pin.provenance ?? null);
    if (!artifactChanged && !provenanceChanged) return undefined;
    return {
        kind: "package",
        subject: pin.name,
        change: "changed",
        from: field("version", old.version),
        to: field("version", pin.version),
        provenance: pin.provenance,
        sealValid,
        direction: direction("pep440", old.version, pin.version),
        provenanceOnly: !artifactChanged,
    };
}
