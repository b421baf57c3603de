import { LabelKeys } from "../../lib/contract";
import { entry, field, isUnknown, StringMap, stringMap, UNKNOWN, Unknown } from "./known";
import type { Workload } from "./workloads";

/**
 * Which workloads serve traffic. A blue-green pair (components/strategies/blueGreen.ts) runs the
 * configured pin in the colour its Service selects and the previous pin in the other; only the
 * serving colour carries the pin's provenance. A workload counts as the standby colour only
 * when all of this holds: it has a `pinstack.dev/color` label, no Service in its namespace
 * selects its pods, and a Service does select the same app in another colour. Anything
 * unknown counts as serving (fail closed).
 */
export interface ServiceSelector {
    readonly namespace: string | Unknown | undefined;
    readonly selector: StringMap | Unknown;
}

export function serviceSelectorOf(props: unknown): ServiceSelector {
    const namespace = field(field(props, "metadata"), "namespace");
    return {
        namespace: isUnknown(namespace) ? UNKNOWN : typeof namespace === "string" ? namespace : undefined,
        selector: stringMap(field(field(props, "spec"), "selector")),
    };
}

/** An unknown namespace could be any namespace. */
function sameNamespace(a: string | Unknown | undefined, b: string | Unknown | undefined): boolean {
    return isUnknown(a) || isUnknown(b) || (a ?? "default") === (b ?? "default");
}

/** Whether the selector picks the pods; unknown values count as picking them. An empty selector picks none. */
function selects(selector: StringMap, pods: StringMap): boolean {
    const keys = Object.keys(selector);
    return keys.length > 0 && keys.every((key) => isUnknown(selector[key]) || isUnknown(pods[key]) || selector[key] === pods[key]);
}

export function isStandbyColour(workload: Workload, services: readonly ServiceSelector[]): boolean {
    const colour = entry(workload.labels, LabelKeys.color);
    const podColour = entry(workload.podLabels, LabelKeys.color);
    if (typeof colour !== "string" || podColour !== colour || isUnknown(workload.podLabels)) return false;
    const nearby = services.filter((s) => sameNamespace(s.namespace, workload.namespace));
    let pairServed = false;
    for (const service of nearby) {
        if (isUnknown(service.selector)) return false;
        if (selects(service.selector, workload.podLabels)) return false;
        const app = service.selector[LabelKeys.name];
        const selected = service.selector[LabelKeys.color];
        if (app === workload.service && typeof selected === "string" && selected !== colour) pairServed = true;
    }
    return pairServed;
}
