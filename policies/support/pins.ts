import { AnnotationKeys, DeclaredContainer, decodeContainers, decodePin, decodeProvenance, PROVENANCE_KEYS } from "../../lib/contract";
import { NOWHERE, type Provenance } from "../../lib/model";
import { EXTRA_CONTAINER_LISTS, type ContainerList, pinOfReference, samePin } from "../../lib/pin";
import { SealedContainer, SealSubject, verifySeal } from "../../lib/provenance";
import { ImageReference, parseReference } from "../../lib/reference";
import type { ServiceUnderRule } from "../../lib/rules";
import { entry, isUnknown, StringMap } from "./known";
import type { ImageRole, Workload } from "./workloads";

/**
 * The pin a workload says it runs, read with lib/contract's decoders from the annotations
 * ServiceRelease writes (`pinstack.dev/pin`, `pinstack.dev/seal`, ...), and
 * checked against what the workload really runs: an annotation copied from a good pin onto a
 * workload that runs something else does not pass. The same holds for its init containers and
 * sidecars (`pinstack.dev/containers`): every container the pod runs besides the main one must
 * be declared there and run what it declares, and the seal covers the declared ones.
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

/** A container runs its pin when it runs the pinned digest, or a tag-only pin with the digest it was resolved to (ServiceRelease's resolveDigests). */
const RUNS_PIN = { digests: "where-pinned" } as const;

/** The pin as lib's rules read a service (provenance, signed-images): the artifact the workload runs and its provenance. */
export function pinUnderRule(name: string, pin: WorkloadPin): ServiceUnderRule {
    return {
        name,
        image: pin.subject.image ?? pin.ref.name,
        tag: pin.subject.tag,
        digest: pin.subject.digest,
        initContainers: pin.subject.initContainers,
        sidecars: pin.subject.sidecars,
        provenance: pin.provenance,
        location: NOWHERE,
    };
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
    const parsed = decodePin(text);
    if (!parsed.ok) return { ok: false, problem: `its ${AnnotationKeys.pin} annotation ${JSON.stringify(text)} ${parsed.why}` };
    const mismatch = mainContainerProblem(workload, parsed.ref);
    if (mismatch) return { ok: false, problem: mismatch };
    // A list or an entry of it unknown during preview could hold any container: fail closed.
    if (workload.unknownPaths.length > 0) return { ok: false, problem: unknownProblem(`what its pod runs (${workload.unknownPaths.join(", ")})`) };
    const declared = readContainers(annotations);
    if (!declared.ok) return declared;
    const undeclared = extraContainersProblem(workload, declared.containers);
    if (undeclared) return { ok: false, problem: undeclared };

    const provenance = readProvenance(annotations);
    if (provenance === UNKNOWN_PROVENANCE) return { ok: false, problem: unknownProblem("its provenance annotations") };
    const subject: SealSubject = {
        kind: "service",
        name: workload.service,
        image: parsed.ref.name,
        tag: parsed.ref.tag || undefined,
        digest: parsed.ref.digest || undefined,
        ...sealedLists(declared.containers),
    };
    const sealed = provenance ? sealingVariant(subject, provenance) : undefined;
    return { ok: true, pin: { text, ref: parsed.ref, subject, provenance: sealed ?? provenance, sealValid: sealed !== undefined } };
}

type ContainersReading = { readonly ok: true; readonly containers: readonly DeclaredContainer[] } | { readonly ok: false; readonly problem: string };

/** The init containers and sidecars the annotation declares (none when it is absent). */
function readContainers(annotations: StringMap): ContainersReading {
    const text = entry(annotations, AnnotationKeys.containers);
    if (text === undefined) return { ok: true, containers: [] };
    if (isUnknown(text)) return { ok: false, problem: unknownProblem(`its ${AnnotationKeys.containers} annotation`) };
    const decoded = decodeContainers(text);
    if (!decoded.ok) return { ok: false, problem: `its ${AnnotationKeys.containers} annotation ${decoded.why}, so what its containers run cannot be checked` };
    return decoded;
}

/**
 * Why a container of the pod besides the main one is not one the annotation declares, or
 * does not run what it declares; undefined when every one is. Declared containers a pod lacks
 * pass: a migrations Job carries its service's annotations and runs its main container alone.
 */
function extraContainersProblem(workload: Workload, declared: readonly DeclaredContainer[]): string | undefined {
    for (const container of workload.containers) {
        if (container.main) continue;
        const { list, what } = ROLES[container.role];
        const shown = container.role === "imageField" ? `${what} ${container.path}` : `${what} ${container.name ?? `#${container.index}`}`;
        const pin = declared.find((d) => d.list === list && d.name === container.name);
        if (!pin) {
            return `runs ${shown}, which its pin does not declare (${AnnotationKeys.containers}), so nothing shows it was promoted with the service`;
        }
        if (isUnknown(container.image)) return unknownProblem(`the image of ${shown}`);
        const runs = parseReference(container.image);
        if (!runs.ok || !samePin(pinOfReference(pin.ref), pinOfReference(runs.ref), RUNS_PIN)) {
            return `runs ${JSON.stringify(container.image)} in ${shown}, but its ${AnnotationKeys.containers} annotation pins ${pin.ref.input}`;
        }
    }
    // Init containers run one after another, and the seal covers the order they were promoted in.
    for (const role of ["initContainers", "containers"] as const) {
        const { list, what } = ROLES[role];
        const running = workload.containers.filter((c) => c.role === role && !c.main).map((c) => c.name);
        const declaredOrder = declared.filter((d) => d.list === list && running.includes(d.name)).map((d) => d.name);
        if (running.join("\0") !== declaredOrder.join("\0")) {
            return `runs its ${what}s in the order ${running.join(", ")}, but its ${AnnotationKeys.containers} annotation declares ${declaredOrder.join(", ")}`;
        }
    }
    return undefined;
}

/** Per pod-spec role: the annotation's list that declares such containers (none for ephemeral ones), and what to call one. */
const ROLES: Readonly<Record<ImageRole, { readonly list?: ContainerList; readonly what: string }>> = {
    initContainers: { list: "initContainers", what: "init container" },
    containers: { list: "sidecars", what: "sidecar" },
    ephemeralContainers: { what: "ephemeral container" },
    imageField: { what: "image field" },
};

/** The declared containers as the seal binds them, lists left out when empty. */
function sealedLists(declared: readonly DeclaredContainer[]): { initContainers?: SealedContainer[]; sidecars?: SealedContainer[] } {
    const out: { initContainers?: SealedContainer[]; sidecars?: SealedContainer[] } = {};
    for (const list of EXTRA_CONTAINER_LISTS) {
        const items = declared.filter((d) => d.list === list);
        if (items.length > 0) out[list] = items.map((d) => ({ name: d.name, image: d.ref.name, tag: d.ref.tag || undefined, digest: d.ref.digest || undefined }));
    }
    return out;
}

/** Why the workload's main container does not run `pin`, or undefined when it does. */
function mainContainerProblem(workload: Workload, pin: ImageReference): string | undefined {
    const main = workload.containers.find((c) => c.main);
    if (!main) return `has no container running its pin ${pin.input}`;
    if (isUnknown(main.image)) return unknownProblem(`the image of container ${main.name ?? "#0"}`);
    const runs = parseReference(main.image);
    if (runs.ok && samePin(pinOfReference(pin), pinOfReference(runs.ref), RUNS_PIN)) return undefined;
    return `runs ${JSON.stringify(main.image)} in container ${main.name ?? "#0"}, but its ${AnnotationKeys.pin} annotation says ${pin.input}`;
}

const UNKNOWN_PROVENANCE = Symbol("provenance unknown");

function readProvenance(annotations: StringMap): Provenance | undefined | typeof UNKNOWN_PROVENANCE {
    if (PROVENANCE_KEYS.some((key) => isUnknown(entry(annotations, key)))) return UNKNOWN_PROVENANCE;
    return decodeProvenance((key) => entry(annotations, key) as string | undefined);
}

/**
 * The provenance as it was sealed, when its seal verifies. Annotations carry the flags only
 * when true (lib/contract encodeProvenance), while config may spell a false flag `rollback: false`, which
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

