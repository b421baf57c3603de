import { LabelKeys } from "../../lib/contract";
import { elements, entry, field, isUnknown, path, StringMap, stringMap, UNKNOWN, Unknown } from "./known";

/**
 * Finds every container image a Kubernetes resource would run.
 *
 * Workload kinds of the built-in API groups are read at their pod template's exact place
 * (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job:
 * `spec.template.spec`; CronJob: `spec.jobTemplate.spec.template.spec`; Pod: `spec`;
 * PodTemplate: `template.spec`), including their `*Patch` forms. Any other Kubernetes type
 * (custom resources such as Argo Rollouts, `*List` types) is searched for objects that hold
 * `containers`, so a pod template cannot hide behind an unfamiliar kind. In every pod spec,
 * `containers`, `initContainers` and `ephemeralContainers` are read.
 */

export type ContainerRole = "containers" | "initContainers" | "ephemeralContainers";
export const CONTAINER_ROLES: readonly ContainerRole[] = ["containers", "initContainers", "ephemeralContainers"];

export interface ContainerImage {
    readonly role: ContainerRole;
    readonly index: number;
    /** Container name, when known. */
    readonly name?: string;
    /** The image as written, or UNKNOWN during preview. */
    readonly image: string | Unknown;
    /** Property path of the container, e.g. `spec.template.spec.initContainers[0]`. */
    readonly path: string;
    /** The first entry of `containers` of the first pod spec: the service's own image. */
    readonly main: boolean;
}

export interface Workload {
    readonly type: string;
    /** Kind without a `Patch` suffix: `Deployment`, `CronJob`. */
    readonly kind: string;
    /** `namespace/name` (or the name, or the Pulumi resource name) for messages. */
    readonly display: string;
    readonly namespace: string | Unknown | undefined;
    /** `app.kubernetes.io/name`, else metadata.name, else the Pulumi resource name. */
    readonly service: string;
    readonly labels: StringMap | Unknown;
    readonly annotations: StringMap | Unknown;
    /** Labels of the pods it creates (a Service selects pods by these); the object's own labels for a Pod. */
    readonly podLabels: StringMap | Unknown;
    readonly containers: readonly ContainerImage[];
    /** Paths that could hold containers but are unknown during preview. */
    readonly unknownPaths: readonly string[];
}

const TEMPLATE_SPEC = ["spec", "template", "spec"];
/** Where the pod spec sits, per built-in kind. */
const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
    Pod: ["spec"],
    PodTemplate: ["template", "spec"],
    Deployment: TEMPLATE_SPEC,
    StatefulSet: TEMPLATE_SPEC,
    DaemonSet: TEMPLATE_SPEC,
    ReplicaSet: TEMPLATE_SPEC,
    ReplicationController: TEMPLATE_SPEC,
    Job: TEMPLATE_SPEC,
    CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
};
/** The API groups of the kinds above (`core` is the legacy group). */
const BUILT_IN_GROUPS = new Set(["core", "apps", "batch", "extensions"]);
/** Deep enough for any pod template inside a custom resource or a List. */
const SEARCH_DEPTH = 12;

/** `kubernetes:apps/v1:Deployment` -> group `apps`, kind `Deployment`; undefined for non-Kubernetes types. */
export function kubernetesKind(type: string): { group: string; kind: string; patch: boolean } | undefined {
    const match = /^kubernetes:([^:]+):([A-Za-z0-9]+)$/.exec(type);
    if (!match) return undefined;
    const group = match[1].split("/")[0];
    const patch = match[2].endsWith("Patch");
    return { group, kind: patch ? match[2].slice(0, -"Patch".length) : match[2], patch };
}

/** True for the built-in kinds that run pods. */
export function isWorkloadType(type: string): boolean {
    const parsed = kubernetesKind(type);
    return parsed !== undefined && BUILT_IN_GROUPS.has(parsed.group) && parsed.kind in POD_SPEC_PATHS;
}

/**
 * The containers of a Kubernetes resource; undefined for non-Kubernetes types. Resources
 * without containers (Service, ConfigMap) give a workload with no containers.
 */
export function workloadOf(type: string, props: unknown, resourceName: string): Workload | undefined {
    const parsed = kubernetesKind(type);
    if (!parsed) return undefined;
    const metadata = field(props, "metadata");
    const name = field(metadata, "name");
    const namespace = field(metadata, "namespace");
    const labels = stringMap(field(metadata, "labels"));
    const annotations = stringMap(field(metadata, "annotations"));
    const appName = entry(labels, LabelKeys.name);
    const service = typeof appName === "string" ? appName : typeof name === "string" ? name : resourceName;
    const shownName = typeof name === "string" ? name : resourceName;
    const display = typeof namespace === "string" ? `${namespace}/${shownName}` : shownName;

    const containers: ContainerImage[] = [];
    const unknownPaths: string[] = [];
    let podLabels: StringMap | Unknown = {};
    const specPath = BUILT_IN_GROUPS.has(parsed.group) ? POD_SPEC_PATHS[parsed.kind] : undefined;
    if (specPath) {
        const spec = path(props, specPath);
        if (isUnknown(spec)) unknownPaths.push(specPath.join("."));
        else if (spec !== undefined) readPodSpec(spec, specPath.join("."), containers, unknownPaths);
        const templateMetadata = parsed.kind === "Pod" ? metadata : path(props, [...specPath.slice(0, -1), "metadata"]);
        podLabels = stringMap(field(templateMetadata, "labels"));
    } else {
        search(props, "", SEARCH_DEPTH, containers, unknownPaths);
    }
    return {
        type,
        kind: parsed.kind,
        display,
        namespace: isUnknown(namespace) ? UNKNOWN : typeof namespace === "string" ? namespace : undefined,
        service,
        labels,
        annotations,
        podLabels,
        containers,
        unknownPaths,
    };
}

function readPodSpec(spec: unknown, at: string, out: ContainerImage[], unknownPaths: string[]): void {
    for (const role of CONTAINER_ROLES) {
        const list = elements(field(spec, role));
        if (isUnknown(list)) {
            unknownPaths.push(`${at}.${role}`);
            continue;
        }
        list.forEach((container, index) => {
            const where = `${at}.${role}[${index}]`;
            if (isUnknown(container)) {
                unknownPaths.push(where);
                return;
            }
            const image = field(container, "image");
            // A container without an image is a patch that leaves the image alone, or a manifest
            // the API server refuses anyway: nothing runs from it.
            if (image === undefined || image === null) return;
            const name = field(container, "name");
            out.push({
                role,
                index,
                name: typeof name === "string" ? name : undefined,
                image: isUnknown(image) ? UNKNOWN : String(image),
                path: where,
                main: role === "containers" && index === 0 && !out.some((c) => c.main),
            });
        });
    }
}

function search(value: unknown, at: string, depth: number, out: ContainerImage[], unknownPaths: string[]): void {
    if (depth === 0 || value === null || typeof value !== "object" || isUnknown(value)) return;
    if (Array.isArray(value)) {
        const list = elements(value);
        if (!isUnknown(list)) list.forEach((item, i) => search(item, `${at}[${i}]`, depth - 1, out, unknownPaths));
        return;
    }
    const keys = Object.keys(value);
    if (CONTAINER_ROLES.some((role) => keys.includes(role))) {
        readPodSpec(value, at || "(root)", out, unknownPaths);
        return;
    }
    for (const key of keys) {
        const child = field(value, key);
        if (child !== null && typeof child === "object") search(child, at ? `${at}.${key}` : key, depth - 1, out, unknownPaths);
    }
}

/** `Deployment ns/name`, with the container when given: `..., initContainers[0] (migrate)`. */
export function describeWorkload(workload: Workload, container?: ContainerImage): string {
    const base = `${workload.kind} ${workload.display}`;
    if (!container) return base;
    const role = container.role === "containers" ? "container" : container.role === "initContainers" ? "init container" : "ephemeral container";
    return `${base}, ${role} ${container.name ?? `#${container.index}`}`;
}
