/**
 * Resources shaped as the program makes them: annotations and labels come from the
 * the contract's own functions (lib/contract), seals from lib/provenance, so a change of
 * the annotation contract shows up here.
 */
import { AnnotationKeys, LabelKeys, pinAnnotations, serviceLabels } from "../../../lib/contract";
import { pinReference } from "../../../lib/pin";
import type { ExtraContainer, Provenance, SchemeName } from "../../../lib/model";
import { sealProvenance, serviceSubject, UnsealedProvenance } from "../../../lib/provenance";
import type { StackResourceInput } from "./helpers";

export const digestOf = (hexDigit: string) => `sha256:${hexDigit.repeat(64)}`;

export interface Pin {
    readonly service: string;
    readonly image: string;
    readonly tag?: string;
    readonly digest?: string;
    /** Declared in config: annotated (pinstack.dev/containers), sealed, and run by the pod unless a spec says otherwise. */
    readonly initContainers?: readonly ExtraContainer[];
    readonly sidecars?: readonly ExtraContainer[];
}

export const backendPin: Pin = { service: "backend", image: "ghcr.io/pinstack-example/backend", tag: "2023.06.1", digest: digestOf("a") };
export const frontendPin: Pin = { service: "frontend", image: "ghcr.io/pinstack-example/frontend", tag: "2023.06.2", digest: digestOf("b") };

/** What `pinstack promote staging production` writes for the pin. */
export function promoted(pin: Pin, extra: Partial<UnsealedProvenance> = {}): Provenance {
    return sealProvenance(serviceSubject({ name: pin.service, image: pin.image, tag: pin.tag, digest: pin.digest, initContainers: pin.initContainers, sidecars: pin.sidecars }), {
        from: "staging",
        at: "2023-06-02T09:30:00Z",
        by: "release-manager@pinstack.example",
        reason: `Release ${pin.tag}`,
        ...extra,
    });
}

/** What `pinstack rollback` writes for a pin it restores (lib/promote/rollback.ts): the original `from`, `rollback: true`. */
export function rolledBack(pin: Pin): Provenance {
    return promoted(pin, { reason: "incident 42: back to the last good release", rollback: true });
}

export interface Container {
    readonly name: string;
    readonly image: unknown;
}

export interface WorkloadSpec {
    readonly pin?: Pin;
    /** Container image of the main container; the pin's reference by default. */
    readonly runs?: unknown;
    /** `null`: no scheme annotation. */
    readonly scheme?: SchemeName | string | null;
    /** `null`: none; default: promoted from staging. */
    readonly provenance?: Provenance | null;
    /** `null`: no pinstack annotations at all (a workload not made by ServiceRelease). */
    readonly annotations?: Record<string, unknown> | null;
    readonly color?: "blue" | "green";
    readonly name?: string;
    readonly namespace?: string;
    readonly environment?: string;
    readonly initContainers?: readonly Container[];
    readonly sidecars?: readonly Container[];
    readonly ephemeralContainers?: readonly Container[];
}

function metadataOf(spec: WorkloadSpec, suffix = "") {
    const pin = spec.pin ?? backendPin;
    const labels: Record<string, string> = { ...serviceLabels(pin.service, "pinstack"), ...(spec.color ? { [LabelKeys.color]: spec.color } : {}) };
    const provenance = spec.provenance === undefined ? promoted(pin) : spec.provenance ?? undefined;
    const annotations =
        spec.annotations === null
            ? undefined
            : spec.annotations ?? {
                  [AnnotationKeys.stack]: "production",
                  [AnnotationKeys.environment]: spec.environment ?? "production",
                  [AnnotationKeys.strategy]: spec.color ? "blue-green" : "in-place",
                  ...pinAnnotations({ reference: pinReference(pin), scheme: "calver", provenance, initContainers: pin.initContainers, sidecars: pin.sidecars }),
              };
    if (annotations && spec.scheme === null) delete annotations[AnnotationKeys.scheme];
    else if (annotations && spec.scheme !== undefined) annotations[AnnotationKeys.scheme] = spec.scheme;
    return {
        name: spec.name ?? `${pin.service}${spec.color ? `-${spec.color}` : ""}${suffix}`,
        namespace: spec.namespace ?? "production-stack",
        labels,
        ...(annotations ? { annotations } : {}),
    };
}

export function podSpecOf(spec: WorkloadSpec) {
    const pin = spec.pin ?? backendPin;
    const main = { name: pin.service, image: spec.runs ?? pinReference(pin), ports: [{ name: "http", containerPort: 8000 }] };
    const declared = (list: readonly ExtraContainer[] | undefined) => list?.map((c) => ({ name: c.name, image: pinReference(c) }));
    const initContainers = spec.initContainers ?? declared(pin.initContainers);
    const sidecars = spec.sidecars ?? declared(pin.sidecars);
    return {
        ...(initContainers ? { initContainers: initContainers.map((c) => ({ ...c })) } : {}),
        containers: [main, ...(sidecars ?? []).map((c) => ({ ...c }))],
        ...(spec.ephemeralContainers ? { ephemeralContainers: spec.ephemeralContainers.map((c) => ({ ...c })) } : {}),
    };
}

function templateOf(spec: WorkloadSpec) {
    const metadata = metadataOf(spec);
    return { metadata: { labels: metadata.labels }, spec: podSpecOf(spec) };
}

export function deployment(spec: WorkloadSpec = {}): StackResourceInput {
    const metadata = metadataOf(spec);
    return {
        type: "kubernetes:apps/v1:Deployment",
        name: metadata.name,
        props: { apiVersion: "apps/v1", kind: "Deployment", metadata, spec: { replicas: 3, selector: { matchLabels: metadata.labels }, template: templateOf(spec) } },
    };
}

/** The same workload as another built-in kind. */
export function workload(kind: "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" | "CronJob" | "Pod" | "ReplicationController" | "PodTemplate", spec: WorkloadSpec = {}): StackResourceInput {
    const metadata = metadataOf(spec, `-${kind.toLowerCase()}`);
    const group = { StatefulSet: "apps/v1", DaemonSet: "apps/v1", ReplicaSet: "apps/v1", Job: "batch/v1", CronJob: "batch/v1", Pod: "core/v1", ReplicationController: "core/v1", PodTemplate: "core/v1" }[kind];
    const template = templateOf(spec);
    const body: Record<string, unknown> =
        kind === "Pod"
            ? { spec: template.spec }
            : kind === "PodTemplate"
              ? { template }
              : kind === "CronJob"
                ? { spec: { schedule: "0 3 * * *", jobTemplate: { spec: { template } } } }
                : { spec: { template } };
    return { type: `kubernetes:${group}:${kind}`, name: metadata.name, props: { metadata, ...body } };
}

export function service(name: string, selector: Record<string, unknown>, namespace = "production-stack"): StackResourceInput {
    return {
        type: "kubernetes:core/v1:Service",
        name,
        props: { metadata: { name, namespace }, spec: { type: "ClusterIP", selector, ports: [{ port: 80 }] } },
    };
}

/** A blue-green pair with its Service selecting `active`; the standby runs `standbyPin` without provenance. */
export function blueGreen(active: "blue" | "green", activeSpec: WorkloadSpec, standbySpec: WorkloadSpec): StackResourceInput[] {
    const standby = active === "blue" ? "green" : "blue";
    const pin = activeSpec.pin ?? backendPin;
    return [
        deployment({ ...activeSpec, color: active }),
        deployment({ provenance: null, ...standbySpec, color: standby }),
        service(pin.service, { [LabelKeys.name]: pin.service, [LabelKeys.color]: active }),
    ];
}

export function stackResource(outputs: Record<string, unknown>): StackResourceInput {
    return { type: "pulumi:pulumi:Stack", name: "pinstack-production", props: outputs };
}

export function configMap(name: string, data: unknown): StackResourceInput {
    return { type: "kubernetes:core/v1:ConfigMap", name, props: { metadata: { name, namespace: "production-stack" }, data } };
}

export function ecrRepository(props: Record<string, unknown>): StackResourceInput {
    return { type: "aws:ecr/repository:Repository", name: "backend-repository", props: { name: "pinstack-example/backend", ...props } };
}
