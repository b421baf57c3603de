import { ReportViolation, ResourceValidation, ResourceValidationArgs, StackValidationArgs, validateResourceOfType } from "@pulumi/policy";
import type { Resource } from "@pulumi/pulumi";
import { AnnotationKeys } from "../../lib/contract";
import type { Level, SchemeName } from "../../lib/model";
import { schemes } from "../../lib/schemes";
import { entry } from "./known";
import { PackConfigError, PackContext, packContext } from "./settings";
import { Workload, workloadOf } from "./workloads";

/**
 * Runs `body` with the pack's context for this policy's config. A config the pack cannot use
 * is reported as a violation of the policy (at its level) instead of letting it pass.
 */
export function withContext<C extends object>(
    args: Pick<ResourceValidationArgs | StackValidationArgs, "getConfig">,
    report: ReportViolation,
    body: (context: PackContext, config: C) => void,
): void {
    const config = args.getConfig<C>();
    let context: PackContext;
    try {
        context = packContext(config);
    } catch (err) {
        if (err instanceof PackConfigError) {
            report(err.message);
            return;
        }
        throw err;
    }
    body(context, config);
}

/** The workload of a resource policy's resource (of any provider), when it runs or names images. */
export function workloadToCheck(args: ResourceValidationArgs): Workload | undefined {
    const workload = workloadOf(args.type, args.props, args.name);
    return workload && (workload.containers.length > 0 || workload.unknownPaths.length > 0) ? workload : undefined;
}

const schemeNames = new Set(Object.keys(schemes));

export function isSchemeName(value: string): value is SchemeName {
    return schemeNames.has(value);
}

/** The workload's `pinstack.dev/scheme`, when it names a scheme; it applies to the main container only. */
export function annotatedScheme(workload: Workload): SchemeName | undefined {
    const scheme = entry(workload.annotations, AnnotationKeys.scheme);
    return typeof scheme === "string" && isSchemeName(scheme) ? scheme : undefined;
}

export function schemeForMain(workload: Workload): (container: { main: boolean }) => SchemeName | undefined {
    const scheme = annotatedScheme(workload);
    return (container) => (container.main ? scheme : undefined);
}

const LEVEL_RANK: Record<Level, number> = { disabled: 0, advisory: 1, mandatory: 2 };

/** A finding lib lowered below the rule's level on this stack (a load test labelled warn). */
export function isLowered(findingLevel: Level | undefined, ruleLevel: Level): boolean {
    return findingLevel !== undefined && LEVEL_RANK[findingLevel] < LEVEL_RANK[ruleLevel];
}


/**
 * A validation for resources of one type only, through @pulumi/policy's validateResourceOfType:
 * it tags the function with the type, and the SDK then skips every other resource before
 * deserializing its properties (otherwise each policy pays for every resource of the stack).
 * The SDK reads the type from a resource class's `__pulumiType`, as generated provider classes
 * carry it; a stand-in with that field names the type without loading a provider SDK
 * (@pulumi/aws alone takes seconds to load, on every preview).
 */
export function forType(type: string, validate: ResourceValidation): ResourceValidation {
    const standIn = { __pulumiType: type } as unknown as new (...args: any[]) => Resource;
    return validateResourceOfType(standIn, (_props, args, report) => validate(args, report));
}

/** The root resource of every Pulumi program: resource policies that only read their config run once, on it. */
export const STACK_TYPE = "pulumi:pulumi:Stack";
