import { spawnSync } from "child_process";
import * as path from "path";
import { badInput, refused } from "../errors";
import { EXTRA_CONTAINER_LISTS, type ServicePin, type StackConfig } from "../model";
import { colorImages, pinOfReference, pinReference, samePin } from "../pin";
import { parseReference } from "../reference";

/**
 * What the cluster runs, against what the stack file pins: `pinstack status --live`. Someone
 * who runs `kubectl set image` by hand changes the cluster and neither the stack file nor
 * Pulumi's state; `pulumi preview --refresh` shows it as a diff, and this names it as a pin.
 *
 * The cluster is read with kubectl (the stack's `pinstack:kubeconfig` and `kubeContext`, or
 * the ambient kubeconfig), the client every Kubernetes user has and that speaks every auth
 * method a kubeconfig can name — no client library to keep in step with the cluster.
 */

/** One container of a live Deployment, as the API returns it. */
export interface LiveContainer {
    readonly list: "containers" | "initContainers";
    readonly name: string;
    readonly image: string;
}

export interface LiveDeployment {
    readonly name: string;
    /** `app.kubernetes.io/name`: the service. */
    readonly service: string;
    /** `pinstack.dev/color`, blue-green only. */
    readonly color?: string;
    readonly containers: readonly LiveContainer[];
}

/** One container the stack file pins, compared with the cluster. */
export interface LiveFinding {
    readonly stack: string;
    readonly service: string;
    readonly deployment: string;
    readonly container: string;
    /** The reference the stack file pins for this container (`repo:tag@digest`). */
    readonly pinned: string | null;
    /** What the cluster runs; null when the Deployment or the container is missing. */
    readonly live: string | null;
    readonly state: "matches" | "drift" | "missing" | "unpinned";
}

export interface KubectlOptions {
    /** Project directory: `pinstack:kubeconfig` is relative to it. */
    readonly dir: string;
    readonly env?: NodeJS.ProcessEnv;
}

/** kubectl's path: $PINSTACK_KUBECTL, else `kubectl` from PATH (scripts/env.sh puts the project's first). */
export function kubectlExecutable(env: NodeJS.ProcessEnv = process.env): string {
    return env.PINSTACK_KUBECTL || "kubectl";
}

/** The Deployments pinstack manages in the stack's namespace, as the cluster has them now. */
export function readLiveDeployments(stack: StackConfig, options: KubectlOptions): LiveDeployment[] {
    if (stack.renderDir) {
        throw badInput(`stack ${stack.stack} renders manifests to ${stack.renderDir} and deploys to no cluster`, {
            fix: "run --live for the stacks that deploy to a cluster (pinstack:kubeconfig, or the ambient kubeconfig)",
        });
    }
    const env = { ...process.env, ...(options.env ?? {}) };
    const args = [
        ...(stack.kubeconfig ? ["--kubeconfig", path.resolve(options.dir, stack.kubeconfig)] : []),
        ...(stack.kubeContext ? ["--context", stack.kubeContext] : []),
        "get", "deployments", "--namespace", stack.namespace,
        "--selector", "app.kubernetes.io/managed-by=pinstack", "--output", "json", "--request-timeout", "20s",
    ];
    const result = spawnSync(kubectlExecutable(env), args, { encoding: "utf8", env, maxBuffer: 256 * 1024 * 1024, timeout: 60_000 });
    if (result.error) {
        const code = (result.error as NodeJS.ErrnoException).code;
        throw refused(code === "ENOENT" ? "kubectl is not installed (or not on PATH)" : `cannot run kubectl (${code ?? result.error.message})`, {
            fix: "source scripts/env.sh (it puts the project's kubectl on PATH), or set PINSTACK_KUBECTL",
        });
    }
    if (result.status !== 0) {
        throw refused(`cannot read the Deployments of stack ${stack.stack} (namespace ${stack.namespace}) from its cluster`, {
            why: (result.stderr || result.stdout).trim().split("\n").slice(-3).join(" "),
            fix: stack.kubeconfig ? `is the cluster of ${stack.kubeconfig} running? (scripts/cluster status)` : "check $KUBECONFIG and the current context",
        });
    }
    const items: any[] = JSON.parse(result.stdout).items ?? [];
    return items.map((d) => ({
        name: String(d.metadata?.name ?? ""),
        service: String(d.metadata?.labels?.["app.kubernetes.io/name"] ?? ""),
        color: d.metadata?.labels?.["pinstack.dev/color"],
        containers: [
            ...(d.spec?.template?.spec?.initContainers ?? []).map((c: any) => ({ list: "initContainers" as const, name: String(c.name), image: String(c.image) })),
            ...(d.spec?.template?.spec?.containers ?? []).map((c: any) => ({ list: "containers" as const, name: String(c.name), image: String(c.image) })),
        ],
    }));
}

interface Expected {
    readonly image: string;
    readonly tag?: string;
    readonly digest?: string;
}

/**
 * The Deployments a service's pin asks for and what each runs. Blue-green: the active colour
 * (blue when unset) runs the pin, the other `previous` (the pin again while there is none),
 * as components/strategies/blueGreen.ts builds them.
 */
function expectedDeployments(pin: ServicePin): { name: string; main: Expected }[] {
    if (pin.strategy !== "blue-green") return [{ name: pin.name, main: { image: pin.image, tag: pin.tag, digest: pin.digest } }];
    const images = colorImages(pin);
    return (["blue", "green"] as const).map((color) => ({ name: `${pin.name}-${color}`, main: images[color] }));
}

function reference(e: Expected): string {
    return pinReference(e);
}

/**
 * The state of a container running `live` where `pinned` is pinned: it matches when it runs
 * the pin's reference, or a tag-only pin with a digest appended (what a stack whose preset
 * resolves digests deploys) — lib/pin's samePin, where-pinned.
 */
function liveState(live: string, pinned: Expected): "matches" | "drift" {
    if (live === reference(pinned)) return "matches";
    const parsed = parseReference(live);
    const runs = parsed.ok && pinned.tag !== undefined && samePin(pinned, pinOfReference(parsed.ref), { digests: "where-pinned" });
    return runs ? "matches" : "drift";
}

/** Compares every container every pinned Deployment should run with the live Deployments. */
export function compareLive(stack: StackConfig, live: readonly LiveDeployment[]): LiveFinding[] {
    const byName = new Map(live.map((d) => [d.name, d]));
    const findings: LiveFinding[] = [];
    const pinnedNames = new Set<string>();
    for (const pin of stack.services) {
        for (const { name, main } of expectedDeployments(pin)) {
            pinnedNames.add(name);
            const deployment = byName.get(name);
            const wants: { list: LiveContainer["list"]; name: string; pinned: Expected }[] = [
                { list: "containers", name: pin.name, pinned: main },
                ...EXTRA_CONTAINER_LISTS.flatMap((list) =>
                    (pin[list] ?? []).map((c) => ({ list: list === "initContainers" ? ("initContainers" as const) : ("containers" as const), name: c.name, pinned: c as Expected })),
                ),
            ];
            for (const want of wants) {
                const container = deployment?.containers.find((c) => c.list === want.list && c.name === want.name);
                const base = { stack: stack.stack, service: pin.name, deployment: name, container: want.name, pinned: reference(want.pinned) };
                if (!container) findings.push({ ...base, live: null, state: "missing" });
                else findings.push({ ...base, live: container.image, state: liveState(container.image, want.pinned) });
            }
            // A container added by hand runs something nobody pinned.
            for (const container of deployment?.containers ?? []) {
                if (!wants.some((w) => w.list === container.list && w.name === container.name)) {
                    findings.push({ stack: stack.stack, service: pin.name, deployment: name, container: container.name, pinned: null, live: container.image, state: "unpinned" });
                }
            }
        }
    }
    for (const deployment of live) {
        if (pinnedNames.has(deployment.name)) continue;
        for (const container of deployment.containers) {
            findings.push({ stack: stack.stack, service: deployment.service, deployment: deployment.name, container: container.name, pinned: null, live: container.image, state: "unpinned" });
        }
    }
    return findings;
}
