import type { PolicyResource } from "@pulumi/policy";
import type { RuleContext } from "../../lib/rules";
import { field } from "./known";
import type { PackContext } from "./settings";
import { isStandbyColour, ServiceSelector, serviceSelectorOf } from "./topology";
import { Workload, workloadOf } from "./workloads";

/** The stack as stack policies see it: workloads with their URNs, Services, and the program's outputs. */
export interface StackView {
    readonly workloads: readonly { readonly urn: string; readonly workload: Workload }[];
    readonly services: readonly ServiceSelector[];
    /** Outputs of the program (the `pulumi:pulumi:Stack` resource); undefined when there is none. */
    readonly outputs?: unknown;
}

const SERVICE_TYPE = "kubernetes:core/v1:Service";
const STACK_TYPE = "pulumi:pulumi:Stack";

export function stackView(resources: readonly PolicyResource[]): StackView {
    const workloads: { urn: string; workload: Workload }[] = [];
    const services: ServiceSelector[] = [];
    let outputs: unknown;
    for (const resource of resources) {
        if (resource.type === STACK_TYPE) {
            outputs = resource.props;
            continue;
        }
        if (resource.type === SERVICE_TYPE) services.push(serviceSelectorOf(resource.props));
        const workload = workloadOf(resource.type, resource.props, resource.name);
        if (workload && (workload.containers.length > 0 || workload.unknownPaths.length > 0)) workloads.push({ urn: resource.urn, workload });
    }
    return { workloads, services, outputs };
}

/** Workloads that serve traffic or run on their own: every workload but a blue-green pair's standby colour. */
export function servingWorkloads(view: StackView): StackView["workloads"] {
    return view.workloads.filter(({ workload }) => !isStandbyColour(workload, view.services));
}

/** One output of the program; UNKNOWN during preview when it is computed. */
export function output(view: StackView, name: string): unknown {
    return view.outputs === undefined ? undefined : field(view.outputs, name);
}

export function ruleContext(context: PackContext, gates: RuleContext["gates"] = {}, strictGates = false): RuleContext {
    return { stack: context.stack, preset: context.preset, gates, strictGates };
}

