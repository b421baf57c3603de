/**
 * Hand-built policy arguments for unit tests, after pulumi/pulumi-policy-aws (awsguard)
 * `src/tests/util.ts` and pulumi/compliance-policies `unit-test-helpers`, fixed for
 * @pulumi/policy 1.21: args carry `stackTags`, `isType` compares the class's `__pulumiType`
 * with the resource's type, `notApplicable` throws (as the SDK's server does), and props are
 * wrapped in the SDK's own unknownCheckingProxy, so an unknown value behaves exactly as during
 * a real preview.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import {
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
    unknownCheckingProxy,
} from "@pulumi/policy";

/**
 * The sentinels @pulumi/policy's deserializer puts where a value is unknown (marked @internal,
 * so not in its typings): props holding them throw UnknownValueError when read, as in a preview.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sentinels = require("@pulumi/policy/proxy") as Record<"unknownStringValue" | "unknownBooleanValue" | "unknownArrayValue" | "unknownObjectValue", string>;
export const { unknownStringValue, unknownBooleanValue, unknownArrayValue, unknownObjectValue } = sentinels;

const repoRoot = path.resolve(__dirname, "../../..");

/** Thrown by `notApplicable`, as the SDK's NotApplicableError (not exported) is. */
export class NotApplicable extends Error {
    constructor(readonly reason?: string) {
        super(reason ?? "not applicable");
    }
}

function throwNotApplicable(reason?: string): never {
    throw new NotApplicable(reason);
}

type ResourceClass = { new (...rest: any[]): any; __pulumiType?: string; isInstance?: (o: any) => boolean };

/** The SDK's isTypeOf: the class's `__pulumiType` when it has one, else its isInstance. */
function isTypeOf(type: string, resourceClass: ResourceClass): boolean {
    const pulumiType = resourceClass.__pulumiType;
    if (typeof pulumiType === "string" && pulumiType !== "") return type === pulumiType;
    return typeof resourceClass.isInstance === "function" && resourceClass.isInstance({ __pulumiType: type }) === true;
}

const defaultOpts = {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    additionalSecretOutputs: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
};

export function urnOf(type: string, name: string): string {
    return `urn:pulumi:test::pinstack::${type}::${name}`;
}

/** The config one policy gets from a policy config file (`enforcementLevel` is the CLI's, not the policy's). */
export function configFromFile(stack: string, policy: string): Record<string, unknown> {
    const file = path.join(repoRoot, "policies", `config.${stack}.json`);
    const all = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, Record<string, unknown>>;
    const { enforcementLevel: _level, ...config } = all[policy] ?? {};
    return config;
}

export interface ResourceArgsInput {
    readonly type: string;
    readonly props: Record<string, any>;
    readonly name?: string;
    readonly config?: Record<string, unknown>;
    /** Use `props` as they are: structuredClone recurses, and overflows on props a few thousand levels deep. */
    readonly uncloned?: boolean;
}

export function resourceArgs(input: ResourceArgsInput): ResourceValidationArgs {
    const name = input.name ?? "test";
    const props = unknownCheckingProxy(input.uncloned ? input.props : structuredClone(input.props));
    return {
        type: input.type,
        props,
        urn: urnOf(input.type, name),
        name,
        opts: { ...defaultOpts },
        stackTags: new Map(),
        isType: (cls: ResourceClass) => isTypeOf(input.type, cls),
        asType: (cls: ResourceClass) => (isTypeOf(input.type, cls) ? props : undefined),
        getConfig: <T extends object>() => ({ ...(input.config ?? {}) }) as T,
        notApplicable: throwNotApplicable,
    } as ResourceValidationArgs;
}

/** Runs every validation of the policy, as the SDK does; `notApplicable` ends the run with no violations. */
export async function runResourcePolicy(policy: ResourceValidationPolicy, args: ResourceValidationArgs): Promise<string[]> {
    const violations: string[] = [];
    const report: ReportViolation = (message) => {
        violations.push(message);
    };
    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : policy.validateResource ? [policy.validateResource] : [];
    for (const validate of validations) {
        try {
            await validate(args, report);
        } catch (err) {
            if (err instanceof NotApplicable) return [];
            throw err;
        }
    }
    return violations;
}

export async function assertNoResourceViolations(policy: ResourceValidationPolicy, args: ResourceValidationArgs): Promise<void> {
    const violations = await runResourcePolicy(policy, args);
    assert.deepStrictEqual(violations, [], `${policy.name} reported:\n${violations.join("\n")}`);
}

/** Asserts at least one violation, every expected pattern matched by some violation; returns them. */
export async function assertHasResourceViolation(policy: ResourceValidationPolicy, args: ResourceValidationArgs, ...expected: RegExp[]): Promise<string[]> {
    const violations = await runResourcePolicy(policy, args);
    assert.ok(violations.length > 0, `${policy.name} reported nothing for ${args.type} ${args.name}`);
    for (const pattern of expected) {
        assert.ok(violations.some((v) => pattern.test(v)), `${policy.name}: no violation matches ${pattern}:\n${violations.join("\n")}`);
    }
    return violations;
}

export interface StackResourceInput {
    readonly type: string;
    readonly name: string;
    readonly props: Record<string, any>;
}

export function stackArgs(resources: readonly StackResourceInput[], config: Record<string, unknown> = {}): StackValidationArgs {
    const policyResources: PolicyResource[] = resources.map((r) => {
        const props = unknownCheckingProxy(structuredClone(r.props));
        return {
            type: r.type,
            name: r.name,
            urn: urnOf(r.type, r.name),
            props,
            opts: { ...defaultOpts },
            dependencies: [],
            propertyDependencies: {},
            isType: (cls: ResourceClass) => isTypeOf(r.type, cls),
            asType: (cls: ResourceClass) => (isTypeOf(r.type, cls) ? props : undefined),
        } as PolicyResource;
    });
    return {
        resources: policyResources,
        stackTags: new Map(),
        getConfig: <T extends object>() => ({ ...config }) as T,
        notApplicable: throwNotApplicable,
    };
}

export interface StackViolation {
    readonly message: string;
    readonly urn?: string;
}

export async function runStackPolicy(policy: StackValidationPolicy, args: StackValidationArgs): Promise<StackViolation[]> {
    const violations: StackViolation[] = [];
    try {
        await policy.validateStack(args, (message, urn) => {
            violations.push({ message, urn });
        });
    } catch (err) {
        if (err instanceof NotApplicable) return [];
        throw err;
    }
    return violations;
}

export async function assertNoStackViolations(policy: StackValidationPolicy, args: StackValidationArgs): Promise<void> {
    const violations = await runStackPolicy(policy, args);
    assert.deepStrictEqual(violations, [], `${policy.name} reported:\n${violations.map((v) => v.message).join("\n")}`);
}

export async function assertHasStackViolation(policy: StackValidationPolicy, args: StackValidationArgs, ...expected: RegExp[]): Promise<StackViolation[]> {
    const violations = await runStackPolicy(policy, args);
    assert.ok(violations.length > 0, `${policy.name} reported nothing`);
    for (const pattern of expected) {
        assert.ok(violations.some((v) => pattern.test(v.message)), `${policy.name}: no violation matches ${pattern}:\n${violations.map((v) => v.message).join("\n")}`);
    }
    return violations;
}
