/**
 * Issue 20 item 4: pods that kinds the pack has no map of would run. An Argo Workflow, a
 * Tekton Task and a custom resource with a pod spec 13 levels deep, all on docker.io/evil/*,
 * passed a production preview. Every field named `image` and every pod spec, at any depth, in
 * any resource, is now checked (policies/support/workloads.ts), and a kind the pack cannot read
 * is refused unless the config lists it (policies/readable-kinds.ts).
 */
import * as assert from "assert";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { digestRequired } from "../../../policies/digest-required";
import { noMutableTags } from "../../../policies/no-mutable-tags";
import { noPrereleases } from "../../../policies/no-prereleases";
import { provenance } from "../../../policies/provenance";
import { readableKinds } from "../../../policies/readable-kinds";
import { registryAllowed } from "../../../policies/registry-allowed";
import { workloadOf } from "../../../policies/support/workloads";
import { configMap, deployment } from "./fixtures";
import {
    assertHasResourceViolation,
    assertHasStackViolation,
    assertNoResourceViolations,
    configFromFile,
    resourceArgs,
    runResourcePolicy,
    stackArgs,
    StackResourceInput,
    unknownStringValue,
} from "./helpers";

function args(policy: ResourceValidationPolicy, resource: StackResourceInput, stack = "production", extra: Record<string, unknown> = {}) {
    return resourceArgs({ ...resource, config: { ...configFromFile(stack, policy.name), ...extra } });
}

const argoWorkflow: StackResourceInput = {
    type: "kubernetes:argoproj.io/v1alpha1:Workflow",
    name: "nightly",
    props: {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Workflow",
        metadata: { name: "nightly", namespace: "production-stack" },
        spec: {
            entrypoint: "main",
            templates: [
                { name: "main", steps: [[{ name: "build", template: "build" }]] },
                { name: "build", container: { image: "docker.io/evil/builder:latest", command: ["make"] } },
                { name: "report", script: { image: "docker.io/evil/reporter:latest", source: "echo done" } },
            ],
        },
    },
};

const tektonTask: StackResourceInput = {
    type: "kubernetes:tekton.dev/v1:Task",
    name: "release",
    props: {
        metadata: { name: "release", namespace: "production-stack" },
        spec: { steps: [{ name: "fetch", image: "docker.io/evil/fetch:latest", script: "git clone" }, { name: "push", image: "docker.io/evil/push:latest" }] },
    },
};

/** A custom resource whose pod spec (`containers`) sits `depth` objects below `spec`. */
function nested(depth: number, podSpec: Record<string, unknown> = { containers: [{ name: "deep", image: "docker.io/evil/deep:latest" }] }): StackResourceInput {
    let value: Record<string, unknown> = podSpec;
    for (let i = 0; i < depth; i++) value = { [`level${depth - i}`]: value };
    return { type: "kubernetes:example.com/v1:Nest", name: "nest", props: { metadata: { name: "nest" }, spec: value } };
}

describe("policies: unfamiliar kinds (images at any place, kinds the pack cannot read)", () => {
    describe("every field named image, every pod spec, at any depth", () => {
        it("refuses an Argo Workflow's templates[].container.image and script.image on latest from docker.io", async () => {
            const tags = await assertHasResourceViolation(
                noMutableTags,
                args(noMutableTags, argoWorkflow),
                /Workflow production-stack\/nightly, spec\.templates\[1\]\.container\.image: .*'latest'/,
                /Workflow production-stack\/nightly, spec\.templates\[2\]\.script\.image: .*'latest'/,
            );
            assert.strictEqual(tags.length, 2, tags.join("\n"));
            await assertHasResourceViolation(registryAllowed, args(registryAllowed, argoWorkflow), /container\.image: .*comes from docker\.io/, /script\.image: .*comes from docker\.io/);
            await assertHasResourceViolation(digestRequired, args(digestRequired, argoWorkflow), /templates\[1\]\.container\.image/);
        });

        it("refuses a Tekton Task's steps[].image", async () => {
            await assertHasResourceViolation(noMutableTags, args(noMutableTags, tektonTask), /Task production-stack\/release, spec\.steps\[0\]\.image: /, /spec\.steps\[1\]\.image: /);
            await assertHasResourceViolation(registryAllowed, args(registryAllowed, tektonTask), /spec\.steps\[0\]\.image: .*comes from docker\.io/);
        });

        it("refuses a custom resource's pod spec 13 levels deep", async () => {
            await assertHasResourceViolation(noMutableTags, args(noMutableTags, nested(13)), /Nest nest, container deep: .*'latest'/);
        });

        it("reads a pod spec 50 000 levels deep without a stack overflow (a recursive walk overflows at about 20 000)", async () => {
            const deep = resourceArgs({ ...nested(50_000), config: configFromFile("production", "no-mutable-tags"), uncloned: true });
            await assertHasResourceViolation(noMutableTags, deep, /Nest nest, container deep: .*'latest'/);
        });

        /** How many property reads workloadOf makes of the resource (a Proxy that is not the SDK's is walked through, so its reads can be counted). */
        const readsOf = (resource: StackResourceInput): { reads: number; workload: ReturnType<typeof workloadOf> } => {
            let reads = 0;
            const proxies = new WeakMap<object, object>();
            const counting = (value: unknown): unknown => {
                if (value === null || typeof value !== "object") return value;
                let proxy = proxies.get(value);
                if (!proxy) {
                    proxy = new Proxy(value, {
                        get(target, key) {
                            reads++;
                            return counting((target as Record<string | symbol, unknown>)[key]);
                        },
                    });
                    proxies.set(value, proxy);
                }
                return proxy;
            };
            const workload = workloadOf(resource.type, counting(resource.props), resource.name);
            return { reads, workload };
        };

        it("reads each value of a resource once: the reads grow with its size, not with its depth squared", () => {
            const [small, large] = [readsOf(nested(2_000)), readsOf(nested(8_000))];
            for (const { workload } of [small, large]) assert.strictEqual(workload?.containers.length, 1);
            assert.ok(large.reads < small.reads * 4.2, `4x the depth cost ${(large.reads / small.reads).toFixed(2)}x the reads (${small.reads} -> ${large.reads})`);
        });

        it("reads a resource of many pod specs in work linear in their number", () => {
            const many = (n: number): StackResourceInput => ({
                type: "kubernetes:example.com/v1:Fleet",
                name: "fleet",
                props: { spec: { members: Array.from({ length: n }, (_, i) => ({ containers: [{ name: `c${i}`, image: `ghcr.io/pinstack-example/c:1.0.${i}` }] })) } },
            });
            // The work is the property reads plus every element an array scan passes over: a
            // search of the containers found so far, per container, is the square of the count
            // in scans (that search made 20 000 pod specs take seconds), though not in reads.
            const workOf = (resource: StackResourceInput): number => {
                const scans = countingArrayScans(() => readsOf(resource));
                assert.strictEqual(scans.result.workload?.containers.filter((c) => c.main).length, 1);
                return scans.result.reads + scans.elements;
            };
            const [small, large] = [workOf(many(2_000)), workOf(many(8_000))];
            // Linear: about 4x; the square of the count would be 16x.
            assert.ok(large < small * 4.5, `4x the pod specs cost ${(large / small).toFixed(2)}x the work (${small} -> ${large})`);
        });

        it("refuses an image volume (volumes[].image.reference) of a Deployment", async () => {
            const resource = deployment();
            (resource.props.spec.template.spec as Record<string, unknown>).volumes = [{ name: "models", image: { reference: "docker.io/evil/models:latest", pullPolicy: "Always" } }];
            await assertHasResourceViolation(noMutableTags, args(noMutableTags, resource), /spec\.template\.spec\.volumes\[0\]\.image\.reference: .*'latest'/);
        });

        it("does not report a Deployment's containers twice (the walk skips what the pod spec reading read)", async () => {
            const resource = deployment({ runs: "ghcr.io/pinstack-example/backend:latest", sidecars: [{ name: "proxy", image: "ghcr.io/pinstack-example/proxy:latest" }] });
            const violations = await runResourcePolicy(noMutableTags, args(noMutableTags, resource));
            assert.strictEqual(violations.length, 2, violations.join("\n"));
        });

        it("checks image fields of any resource: a ConfigMap's data, another provider's resource", async () => {
            await assertHasResourceViolation(noMutableTags, args(noMutableTags, configMap("settings", { image: "docker.io/evil/x:latest" })), /ConfigMap production-stack\/settings, data\.image: /);
            const model = { type: "aws:sagemaker/model:Model", name: "model", props: { primaryContainer: { image: "docker.io/evil/model:latest" } } };
            await assertHasResourceViolation(noMutableTags, args(noMutableTags, model), /aws:sagemaker\/model:Model model, primaryContainer\.image: /);
        });

        it("does not read Secrets, whose values must never reach a message", async () => {
            const secret = { type: "kubernetes:core/v1:Secret", name: "backend-env", props: { metadata: { name: "backend-env" }, stringData: { image: "s3cr3t-password value" } } };
            await assertNoResourceViolations(noMutableTags, args(noMutableTags, secret));
        });

        it("leaves the engine's own resources alone (the stack's outputs deploy nothing)", async () => {
            const stack = { type: "pulumi:pulumi:Stack", name: "pinstack-production", props: { pins: { backend: { image: "docker.io/evil/x" } } } };
            await assertNoResourceViolations(noMutableTags, args(noMutableTags, stack));
        });

        it("fails closed on an image field unknown during preview", async () => {
            const task = structuredClone(tektonTask);
            task.props.spec.steps[1].image = unknownStringValue;
            await assertHasResourceViolation(noMutableTags, args(noMutableTags, task), /spec\.steps\[1\]\.image: the image cannot be known during preview/);
        });

        it("judges every image field by no-prereleases too", async () => {
            const task = structuredClone(tektonTask);
            task.props.spec.steps[0].image = "ghcr.io/pinstack-example/fetch:2023.06.1-rc1@sha256:" + "a".repeat(64);
            await assertHasResourceViolation(noPrereleases, args(noPrereleases, task), /spec\.steps\[0\]\.image: .*prerelease/);
        });

        it("provenance refuses a workflow that runs images nobody promoted", async () => {
            await assertHasStackViolation(provenance, stackArgs([argoWorkflow], configFromFile("production", "provenance")), /Workflow production-stack\/nightly carries no pinstack\.dev\/pin annotation/);
        });
    });

    describe("readable-kinds", () => {
        for (const resource of [argoWorkflow, tektonTask, nested(13), { type: "kubernetes:helm.sh/v3:Release", name: "redis", props: { chart: "redis", values: { image: { repository: "evil/redis", tag: "latest" } } } }]) {
            it(`refuses ${resource.type} on production`, async () => {
                await assertHasResourceViolation(readableKinds, args(readableKinds, resource), new RegExp(`\\(${resource.type.replace(/[./]/g, "\\$&")}\\) is a kind the policy pack cannot read: .*add "${resource.type.replace(/[./]/g, "\\$&")}" to readable-kinds\\.allowedKinds`));
            });
        }

        it("refuses it on staging too, and reports it on playground (advisory there)", async () => {
            await assertHasResourceViolation(readableKinds, args(readableKinds, argoWorkflow, "staging"), /cannot read/);
            await assertHasResourceViolation(readableKinds, args(readableKinds, argoWorkflow, "playground"), /cannot read/);
        });

        it("passes a kind the config lists, whose image fields the image rules still check", async () => {
            const allowed = { allowedKinds: ["kubernetes:argoproj.io/v1alpha1:Workflow"] };
            await assertNoResourceViolations(readableKinds, args(readableKinds, argoWorkflow, "production", allowed));
            await assertHasResourceViolation(readableKinds, args(readableKinds, tektonTask, "production", allowed), /cannot read/);
            await assertHasResourceViolation(noMutableTags, args(noMutableTags, argoWorkflow), /'latest'/);
        });

        it("passes Kubernetes' own kinds, the provider's grouping components, and other providers' types", async () => {
            const types = [
                "kubernetes:apps/v1:Deployment",
                "kubernetes:batch/v1:CronJob",
                "kubernetes:core/v1:Service",
                "kubernetes:core/v1:ConfigMap",
                "kubernetes:networking.k8s.io/v1:Ingress",
                "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
                "kubernetes:apps/v1:DeploymentList",
                "kubernetes:yaml/v2:ConfigGroup",
                "kubernetes:helm.sh/v4:Chart",
                "aws:ecr/repository:Repository",
                "pulumi:pulumi:Stack",
            ];
            for (const type of types) await assertNoResourceViolations(readableKinds, args(readableKinds, { type, name: "x", props: { metadata: { name: "x" } } }));
        });

        it("reports a config that names no preset instead of passing", async () => {
            const violations = await runResourcePolicy(readableKinds, resourceArgs({ ...argoWorkflow, config: {} }));
            assert.match(violations.join("\n"), /names no known preset/);
        });
    });
});

/**
 * Runs fn counting the elements every array scan (some, find, filter, includes, ...) is asked
 * to pass over, an upper bound of the work those scans do: a deterministic measure where a
 * timing would be noise on a shared machine.
 */
function countingArrayScans<T>(fn: () => T): { result: T; elements: number } {
    const methods = ["some", "every", "find", "findIndex", "filter", "includes", "indexOf", "forEach", "map", "reduce"] as const;
    const originals = methods.map((name) => Array.prototype[name]);
    let elements = 0;
    methods.forEach((name, i) => {
        const original = originals[i] as (...args: unknown[]) => unknown;
        Object.defineProperty(Array.prototype, name, {
            configurable: true,
            writable: true,
            value(this: unknown[], ...args: unknown[]) {
                elements += this.length;
                return original.apply(this, args);
            },
        });
    });
    try {
        return { result: fn(), elements };
    } finally {
        methods.forEach((name, i) => Object.defineProperty(Array.prototype, name, { configurable: true, writable: true, value: originals[i] }));
    }
}
