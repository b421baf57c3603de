import { AnnotationKeys } from "../../components/labels";
import type { Provenance } from "../../lib/model";
import { SealSubject, verifySeal } from "../../lib/provenance";
import { ImageReference, parseReference } from "../../lib/reference";
import { entry, isUnknown, StringMap } from "./known";
import type { Workload } from "./workloads";

/**
 * The pin a workload says it runs, read from the annotations ServiceRelease writes
 * (components/labels.ts AnnotationKeys: `pinstack.dev/pin`, `pinstack.dev/seal`, ...), and
 * checked against what the workload really runs: an annotation copied from a good pin onto a
 * workload that runs something else does not pass.
 */
export interface WorkloadPin {
    /** `pinstack.dev/pin` as written: `repo:tag@digest`. */
    readonly text: string;
    readonly ref: ImageReference;
    /** What the provenance seal binds (lib/provenance). */
    readonly subject: SealSubject;
    /** The provenance annotations, absent when there are none. */
    readonly provenance?: Provenance;
    /** The seal matches this service, this pin and the rest of the provenance. */
    readonly sealValid: boolean;
}

export type PinReading = { readonly ok: true; readonly pin: WorkloadPin } | { readonly ok: false; readonly problem: string };

const unknownProblem = (what: string) => `${what} cannot be known during preview, so where its image came from cannot be checked`;

export function readWorkloadPin(workload: Workload): PinReading {
    const annotations = workload.annotations;
    if (isUnknown(annotations)) return { ok: false, problem: unknownProblem("its annotations") };
    const text = annotations[AnnotationKeys.pin];
    if (text === undefined) {
        return { ok: false, problem: `carries no ${AnnotationKeys.pin} annotation, so it was not deployed through ServiceRelease from a pin in the stack's config` };
    }
    if (isUnknown(text)) return { ok: false, problem: unknownProblem(`its ${AnnotationKeys.pin} annotation`) };
    const parsed = parseReference(text);
    if (!parsed.ok) return { ok: false, problem: `its ${AnnotationKeys.pin} annotation ${JSON.stringify(text)} is not an image reference (${parsed.error})` };
    const mismatch = mainContainerProblem(workload, parsed.ref);
    if (mismatch) return { ok: false, problem: mismatch };

    const provenance = readProvenance(annotations);
    if (provenance === UNKNOWN_PROVENANCE) return { ok: false, problem: unknownProblem("its provenance annotations") };
    const subject: SealSubject = {
        kind: "service",
        name: workload.service,
        image: parsed.ref.name,
        tag: parsed.ref.tag || undefined,
        digest: parsed.ref.digest || undefined,
    };
    const sealed = provenance ? sealingVariant(subject, provenance) : undefined;
    return { ok: true, pin: { text, ref: parsed.ref, subject, provenance: sealed ?? provenance, sealValid: sealed !== undefined } };
}

/** Why the workload's main container does not run `pin`, or undefined when it does. */
function mainContainerProblem(workload: Workload, pin: ImageReference): string | undefined {
    const main = workload.containers.find((c) => c.main);
    if (!main) return `has no container running its pin ${pin.input}`;
    if (isUnknown(main.image)) return unknownProblem(`the image of container ${main.name ?? "#0"}`);
    const runs = parseReference(main.image);
    if (runs.ok && runsPin(runs.ref, pin)) return undefined;
    return `runs ${JSON.stringify(main.image)} in container ${main.name ?? "#0"}, but its ${AnnotationKeys.pin} annotation says ${pin.input}`;
}

/**
 * True when `image` is `pin`: same repository and tag, and the pin's digest when it has one.
 * A tag-only pin may run with the digest it was resolved to (ServiceRelease's resolveDigests).
 */
export function runsPin(image: ImageReference, pin: ImageReference): boolean {
    if (image.name !== pin.name || image.tag !== pin.tag) return false;
    return pin.digest ? image.digest === pin.digest : true;
}

const UNKNOWN_PROVENANCE = Symbol("provenance unknown");

function readProvenance(annotations: StringMap): Provenance | undefined | typeof UNKNOWN_PROVENANCE {
    const keys = [AnnotationKeys.promotedFrom, AnnotationKeys.promotedAt, AnnotationKeys.promotedBy, AnnotationKeys.reason, AnnotationKeys.seal, AnnotationKeys.rollback, AnnotationKeys.allowUndeployed];
    const values = keys.map((key) => entry(annotations, key));
    if (values.some((v) => isUnknown(v))) return UNKNOWN_PROVENANCE;
    const [from, at, by, reason, seal, rollback, allowUndeployed] = values as (string | undefined)[];
    if (from === undefined && seal === undefined) return undefined;
    return {
        from: from ?? "",
        at: at ?? "",
        by: by ?? "",
        reason: reason ?? "",
        seal: seal ?? "",
        ...(rollback === "true" ? { rollback: true } : {}),
        ...(allowUndeployed === "true" ? { allowUndeployed: true } : {}),
    };
}

/**
 * The provenance as it was sealed, when its seal verifies. Annotations carry the flags only
 * when true (components/labels.ts), while config may spell a false flag `rollback: false`, which
 * the seal covers; both spellings of "not set" are tried. Neither grants more than absence does.
 */
function sealingVariant(subject: SealSubject, provenance: Provenance): Provenance | undefined {
    const rollbacks = provenance.rollback ? [true] : [undefined, false];
    const undeployed = provenance.allowUndeployed ? [true] : [undefined, false];
    for (const rollback of rollbacks) {
        for (const allowUndeployed of undeployed) {
            const candidate: Provenance = { ...withoutFlags(provenance), ...(rollback !== undefined ? { rollback } : {}), ...(allowUndeployed !== undefined ? { allowUndeployed } : {}) };
            if (verifySeal(subject, candidate)) return candidate;
        }
    }
    return undefined;
}

function withoutFlags(provenance: Provenance): Provenance {
    const { rollback: _r, allowUndeployed: _a, ...rest } = provenance;
    return rest;
}

