import { LabelKeys } from "../../lib/contract";
import { elements, entry, field, isUnknown, path, StringMap, stringMap, UNKNOWN, Unknown, unwrap } from "./known";

/**
 * Finds every container image a resource would run.
 *
 * Workload kinds of the built-in API groups are read at their pod template's exact place
 * (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job:
 * `spec.template.spec`; CronJob: `spec.jobTemplate.spec.template.spec`; Pod: `spec`;
 * PodTemplate: `template.spec`), including their `*Patch` forms; there the first entry of
 * `containers` is the service's own image. Then the whole resource, of any type, is walked
 * (iteratively: no depth limit, no stack to overflow, each value visited once) for two shapes:
 * an object holding `containers`, `initContainers` or `ephemeralContainers` (a pod spec inside
 * a custom resource, a `*List`, a Knative Service), and any field named `image` — a string
 * (an Argo Workflow's `templates[].container.image` and `script.image`, a Tekton Task's
 * `steps[].image`) or an image volume's `{ reference }`. A pod template cannot hide behind an
 * unfamiliar kind or depth; what a kind runs from fields of other names is the
 * `readable-kinds` policy's concern.
 */

export type ContainerRole = "containers" | "initContainers" | "ephemeralContainers";
export const CONTAINER_ROLES: readonly ContainerRole[] = ["containers", "initContainers", "ephemeralContainers"];
/** Where an image was found: a pod spec's container list, or a field named `image` anywhere else. */
export type ImageRole = ContainerRole | "imageField";

export interface ContainerImage {
    readonly role: ImageRole;
    readonly index: number;
    /** Container name, when known. */
    readonly name?: string;
    /** The image as written, or UNKNOWN during preview. */
    readonly image: string | Unknown;
    /** Property path of the container (`spec.template.spec.initContainers[0]`) or of the image field (`spec.steps[1].image`). */
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
/**
 * API groups whose kinds the pack knows completely: Kubernetes' own. In them only the kinds
 * above run pods, at the places above; every other kind (Service, ConfigMap, Ingress, RBAC,
 * a CustomResourceDefinition itself) runs none.
 */
const KUBERNETES_GROUPS = new Set([
    ...BUILT_IN_GROUPS,
    "admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration", "apiregistration.k8s.io", "auditregistration.k8s.io",
    "autoscaling", "certificates.k8s.io", "coordination.k8s.io", "discovery.k8s.io", "events.k8s.io", "flowcontrol.apiserver.k8s.io",
    "meta", "networking.k8s.io", "node.k8s.io", "policy", "rbac.authorization.k8s.io", "resource.k8s.io", "scheduling.k8s.io",
    "settings.k8s.io", "storage.k8s.io", "storagemigration.k8s.io",
]);
/**
 * The Kubernetes provider's components that only group other resources: the engine registers
 * each object they render as a resource of its own, which the pack reads like any other. A
 * Helm `Release` (helm.sh/v3) is not one of them: it installs a chart whose objects the pack
 * never sees.
 */
const GROUPING_COMPONENTS = /^kubernetes:(yaml(\/v2)?:Config(File|Group)|kustomize(\/v2)?:Directory|helm\.sh\/v[24]:Chart)$/;

/**
 * Whether the pack can tell every image a resource of this type runs: true for Kubernetes'
 * own kinds, the provider's grouping components, and every type outside Kubernetes (their
 * fields named `image` are checked; what else they run is outside what the pack promises).
 * False for a custom resource (Argo Workflow, Tekton Task, a Rollout, an operator's kind) or a
 * Helm Release: its controller may start pods from fields with any name (`spec.version`, a
 * chart's `{ repository, tag }`), which no image rule sees.
 */
export function isReadableKind(type: string): boolean {
    if (!type.startsWith("kubernetes:") || GROUPING_COMPONENTS.test(type)) return true;
    const parsed = kubernetesKind(type);
    return parsed !== undefined && KUBERNETES_GROUPS.has(parsed.group);
}

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

/** Types of the engine itself (the stack, providers, stack references): they deploy nothing. */
export function isEngineType(type: string): boolean {
    // pinstack's own components (ServiceRelease, ...) run nothing: their inputs hold the pins,
    // and the Kubernetes objects they create, which do run, are checked one by one.
    return type.startsWith("pulumi:") || type.startsWith("pinstack:");
}

/**
 * Secrets run nothing, and a value read from one must never reach a violation message (the
 * SDK hands policies secret values decrypted): their fields are not searched for images.
 */
const SECRET_TYPE = /^kubernetes:core\/v1:Secret(Patch|List)?$/;

/**
 * The images a resource runs, with what the policies need to judge them; undefined for the
 * engine's own types. Resources without images (Service, ConfigMap) give a workload with no
 * containers.
 */
export function workloadOf(type: string, proxiedProps: unknown, resourceName: string): Workload | undefined {
    if (isEngineType(type)) return undefined;
    const parsed = kubernetesKind(type);
    const props = unwrap(proxiedProps);
    const metadata = field(props, "metadata");
    const name = parsed ? field(metadata, "name") : undefined;
    const namespace = parsed ? field(metadata, "namespace") : undefined;
    const labels = parsed ? stringMap(field(metadata, "labels")) : {};
    const annotations = parsed ? stringMap(field(metadata, "annotations")) : {};
    const appName = entry(labels, LabelKeys.name);
    const service = typeof appName === "string" ? appName : typeof name === "string" ? name : resourceName;
    const shownName = typeof name === "string" ? name : resourceName;
    const display = typeof namespace === "string" ? `${namespace}/${shownName}` : shownName;

    const found = new Found();
    let podLabels: StringMap | Unknown = {};
    const specPath = parsed && BUILT_IN_GROUPS.has(parsed.group) ? POD_SPEC_PATHS[parsed.kind] : undefined;
    if (specPath) {
        const spec = path(props, specPath);
        if (isUnknown(spec)) found.unknownPaths.push(specPath.join("."));
        else if (spec !== undefined) readPodSpec(spec, () => specPath.join("."), found);
        const templateMetadata = parsed!.kind === "Pod" ? metadata : path(props, [...specPath.slice(0, -1), "metadata"]);
        podLabels = stringMap(field(templateMetadata, "labels"));
    }
    if (!SECRET_TYPE.test(type)) walk(props, found);
    return {
        type,
        kind: parsed ? parsed.kind : type,
        display,
        namespace: isUnknown(namespace) ? UNKNOWN : typeof namespace === "string" ? namespace : undefined,
        service,
        labels,
        annotations,
        podLabels,
        containers: found.containers,
        unknownPaths: found.unknownPaths,
    };
}

/** What the reading found so far, and which objects it has read (so the walk reads each once). */
class Found {
    readonly containers: ContainerImage[] = [];
    readonly unknownPaths: string[] = [];
    readonly podSpecs = new Set<object>();
    /** Containers whose `image` was read with their pod spec. */
    readonly readContainers = new Set<object>();
    /** Whether the main container is found (kept, not searched for: a resource may hold thousands of containers). */
    hasMain = false;
}

function readPodSpec(spec: unknown, at: () => string, found: Found): void {
    if (spec !== null && typeof spec === "object") found.podSpecs.add(spec);
    for (const role of CONTAINER_ROLES) {
        const list = elements(field(spec, role));
        if (isUnknown(list)) {
            found.unknownPaths.push(`${at()}.${role}`);
            continue;
        }
        list.forEach((container, index) => {
            if (isUnknown(container)) {
                found.unknownPaths.push(`${at()}.${role}[${index}]`);
                return;
            }
            if (container !== null && typeof container === "object") found.readContainers.add(container);
            const image = field(container, "image");
            // A container without an image is a patch that leaves the image alone, or a manifest
            // the API server refuses anyway: nothing runs from it.
            if (image === undefined || image === null) return;
            const name = field(container, "name");
            const main = role === "containers" && index === 0 && !found.hasMain;
            if (main) found.hasMain = true;
            found.containers.push({
                role,
                index,
                name: typeof name === "string" ? name : undefined,
                image: isUnknown(image) ? UNKNOWN : String(image),
                path: `${at()}.${role}[${index}]`,
                main,
            });
        });
    }
}

/** A value the walk has still to visit, with the way to its path (built only when a message needs it). */
interface Frame {
    readonly value: object;
    readonly parent?: Frame;
    readonly key: string | number;
    text?: string;
}

/** The frame's property path, built once per frame, from the nearest ancestor that has one (iteratively, like the walk). */
function pathOf(frame: Frame): string {
    const pending: Frame[] = [];
    for (let f: Frame | undefined = frame; f && f.text === undefined; f = f.parent) pending.push(f);
    for (let i = pending.length - 1; i >= 0; i--) {
        const f = pending[i];
        const parent = f.parent?.text ?? "";
        f.text = typeof f.key === "number" ? `${parent}[${f.key}]` : parent ? `${parent}.${f.key}` : f.key;
    }
    return shown(frame.text!);
}

/** A path short enough for a message: a pod spec thousands of levels deep keeps its start and its end. */
function shown(path: string): string {
    return path.length <= 240 ? path : `${path.slice(0, 80)}…${path.slice(-150)}`;
}

/**
 * Depth-first over every object and array of `root`, in property order, with an explicit
 * stack; a value reached twice (possible only in hand-built props) is visited once.
 */
function walk(root: unknown, found: Found): void {
    if (root === null || typeof root !== "object") return;
    const seen = new Set<object>();
    const stack: Frame[] = [{ value: root, key: "" }];
    while (stack.length > 0) {
        const frame = stack.pop()!;
        const value = frame.value;
        if (seen.has(value)) continue;
        seen.add(value);
        const children: Frame[] = [];
        if (Array.isArray(value)) {
            const list = elements(value);
            if (!isUnknown(list)) list.forEach((item, i) => item !== null && typeof item === "object" && children.push({ value: item, parent: frame, key: i }));
        } else {
            const keys = Object.keys(value);
            if (!found.podSpecs.has(value) && CONTAINER_ROLES.some((role) => keys.includes(role))) {
                readPodSpec(value, () => pathOf(frame) || "(root)", found);
            }
            const imageRead = found.readContainers.has(value);
            for (const key of keys) {
                const child = field(value, key);
                if (key === "image" && !imageRead && imageField(child, frame, found)) continue;
                if (child !== null && typeof child === "object") children.push({ value: child, parent: frame, key });
            }
        }
        for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
    }
}

/**
 * Records a field named `image` outside a pod spec's container lists; true when it was one.
 * An object with a `reference` is an image volume (`volumes[].image`); any other object is
 * walked on (a chart-style `{ repository, tag }` is a kind the pack cannot read).
 */
function imageField(value: unknown, owner: Frame, found: Found): boolean {
    let image: unknown = value;
    let at = "image";
    if (value !== null && typeof value === "object") {
        image = field(value, "reference");
        at = "image.reference";
        if (image === undefined || image === null) return false;
    }
    if (image === undefined || image === null) return true;
    const path = pathOf(owner);
    found.containers.push({
        role: "imageField",
        index: found.containers.length,
        image: isUnknown(image) ? UNKNOWN : String(image),
        path: path ? `${path}.${at}` : at,
        main: false,
    });
    return true;
}

/** `Deployment ns/name`, with the container when given: `..., initContainers[0] (migrate)`. */
export function describeWorkload(workload: Workload, container?: ContainerImage): string {
    const base = `${workload.kind} ${workload.display}`;
    if (!container) return base;
    if (container.role === "imageField") return `${base}, ${container.path}`;
    const role = container.role === "containers" ? "container" : container.role === "initContainers" ? "init container" : "ephemeral container";
    return `${base}, ${role} ${container.name ?? `#${container.index}`}`;
}
