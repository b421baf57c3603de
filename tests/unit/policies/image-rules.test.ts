/**
 * The image policies on Kubernetes workloads: a happy path, one mutation per refusal, and the
 * bypass attempts of issue 6 (case and spaces around latest, wrong-length digests, registries
 * with ports, the blue-green standby colour, init containers and sidecars, Job and CronJob
 * templates).
 */
import * as assert from "assert";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { digestRequired } from "../../../policies/digest-required";
import { noMutableTags } from "../../../policies/no-mutable-tags";
import { noPrereleases } from "../../../policies/no-prereleases";
import { productionBranchTag } from "../../../policies/production-branch-tag";
import { registryAllowed } from "../../../policies/registry-allowed";
import { tagScheme } from "../../../policies/tag-scheme";
import { backendPin, configMap, deployment, digestOf, WorkloadSpec, workload } from "./fixtures";
import {
    assertHasResourceViolation,
    assertNoResourceViolations,
    configFromFile,
    resourceArgs,
    runResourcePolicy,
    StackResourceInput,
    unknownArrayValue,
    unknownStringValue,
} from "./helpers";

const repo = backendPin.image;

function args(policy: ResourceValidationPolicy, resource: StackResourceInput, stack = "production", extra: Record<string, unknown> = {}) {
    return resourceArgs({ ...resource, config: { ...configFromFile(stack, policy.name), ...extra } });
}

/** A production Deployment whose main container runs `image` (its pin annotation unchanged). */
const runs = (image: unknown, spec: WorkloadSpec = {}) => deployment({ ...spec, runs: image });

describe("policies: image rules on Kubernetes workloads", () => {
    describe("no-mutable-tags", () => {
        it("passes a release tag with its digest", async () => {
            await assertNoResourceViolations(noMutableTags, args(noMutableTags, deployment()));
        });

        for (const [tag, pattern] of [
            ["latest", /has the tag 'latest'/],
            ["LATEST", /'LATEST', which is 'latest' in disguise/],
            ["Latest", /'Latest', which is 'latest' in disguise/],
            ["main", /branch-like tag 'main'/],
            ["latest-alpine", /a variant of 'latest'/],
        ] as const) {
            it(`refuses the tag ${tag}`, async () => {
                await assertHasResourceViolation(noMutableTags, args(noMutableTags, runs(`${repo}:${tag}`)), /container backend/, pattern);
            });
        }

        it("refuses an image without a tag (which is latest)", async () => {
            await assertHasResourceViolation(noMutableTags, args(noMutableTags, runs(repo)), /has no tag, which means 'latest'/);
        });

        for (const image of [`${repo}:latest `, ` ${repo}:latest`, `${repo}: latest`, `${repo}:\tlatest`]) {
            it(`refuses latest with spaces around it: ${JSON.stringify(image)}`, async () => {
                await assertHasResourceViolation(noMutableTags, args(noMutableTags, runs(image)), /is not a valid image reference \(.*(space|whitespace|tab)/, /no-mutable-tags cannot vouch for it/);
            });
        }

        it("refuses an init container on latest", async () => {
            const resource = deployment({ initContainers: [{ name: "wait-for-db", image: "ghcr.io/pinstack-example/wait:latest" }] });
            await assertHasResourceViolation(noMutableTags, args(noMutableTags, resource), /init container wait-for-db: .*has the tag 'latest'/);
        });

        it("refuses a sidecar on a branch tag", async () => {
            const resource = deployment({ sidecars: [{ name: "envoy", image: "ghcr.io/pinstack-example/envoy:main" }] });
            await assertHasResourceViolation(noMutableTags, args(noMutableTags, resource), /container envoy: .*branch-like tag 'main'/);
        });

        for (const tag of ["my-feature-branch", "release-1.2"]) {
            it(`refuses a staging sidecar on a tag made from a branch's name (${tag})`, async () => {
                const resource = deployment({ sidecars: [{ name: "envoy", image: `ghcr.io/pinstack-example/envoy:${tag}` }] });
                await assertHasResourceViolation(noMutableTags, args(noMutableTags, resource, "staging"), new RegExp(`container envoy: .*branch-like tag '${tag.replace(/\./g, "\\.")}'`));
            });
        }

        it("passes a staging sidecar on a commit build of a branch (main-3f2a9c1)", async () => {
            const resource = deployment({ sidecars: [{ name: "envoy", image: "ghcr.io/pinstack-example/envoy:main-3f2a9c1" }] });
            await assertNoResourceViolations(noMutableTags, args(noMutableTags, resource, "staging"));
        });

        it("refuses an ephemeral container on latest", async () => {
            const resource = deployment({ ephemeralContainers: [{ name: "debug", image: "busybox:latest" }] });
            await assertHasResourceViolation(noMutableTags, args(noMutableTags, resource), /ephemeral container debug/);
        });

        it("refuses the blue-green colour that is not the active one when it still runs latest", async () => {
            const standby = deployment({ color: "green", provenance: null, runs: `${repo}:latest` });
            await assertHasResourceViolation(noMutableTags, args(noMutableTags, standby), /Deployment production-stack\/backend-green, container backend: .*'latest'/);
        });

        for (const kind of ["Job", "CronJob", "Pod", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "PodTemplate"] as const) {
            it(`refuses latest set through a ${kind}${kind === "CronJob" ? " jobTemplate" : kind === "Job" ? " template" : ""}`, async () => {
                await assertHasResourceViolation(noMutableTags, args(noMutableTags, workload(kind, { runs: `${repo}:latest` })), new RegExp(`^${kind} .*'latest'`));
            });
            it(`passes a pinned ${kind}`, async () => {
                await assertNoResourceViolations(noMutableTags, args(noMutableTags, workload(kind)));
            });
        }

        it("refuses latest in a DeploymentPatch", async () => {
            const patch = { ...runs(`${repo}:latest`), type: "kubernetes:apps/v1:DeploymentPatch" };
            await assertHasResourceViolation(noMutableTags, args(noMutableTags, patch), /'latest'/);
        });

        it("refuses latest in a custom resource's pod template (Argo Rollout)", async () => {
            const rollout = { type: "kubernetes:argoproj.io/v1alpha1:Rollout", name: "backend", props: { metadata: { name: "backend" }, spec: runs(`${repo}:latest`).props.spec } };
            await assertHasResourceViolation(noMutableTags, args(noMutableTags, rollout), /Rollout backend, container backend: .*'latest'/);
        });

        it("refuses latest in a DeploymentList item", async () => {
            const list = { type: "kubernetes:apps/v1:DeploymentList", name: "all", props: { items: [deployment().props, runs(`${repo}:latest`).props] } };
            await assertHasResourceViolation(noMutableTags, args(noMutableTags, list), /'latest'/);
        });

        it("fails closed when an image is unknown during preview", async () => {
            await assertHasResourceViolation(noMutableTags, args(noMutableTags, runs(unknownStringValue)), /the image cannot be known during preview, so no-mutable-tags cannot check it/);
        });

        it("fails closed when a container list is unknown during preview", async () => {
            const resource = deployment();
            resource.props.spec.template.spec.initContainers = unknownArrayValue;
            await assertHasResourceViolation(noMutableTags, args(noMutableTags, resource), /spec\.template\.spec\.initContainers cannot be known during preview/);
        });

        it("reports latest on playground too, where the config level is advisory", async () => {
            assert.strictEqual(readLevel("playground", "no-mutable-tags"), "advisory");
            await assertHasResourceViolation(noMutableTags, args(noMutableTags, runs(`${repo}:latest`), "playground"), /'latest'/);
        });

        it("refuses latest on staging", async () => {
            await assertHasResourceViolation(noMutableTags, args(noMutableTags, runs(`${repo}:latest`), "staging"), /'latest'/);
        });

        it("ignores resources that name no image", async () => {
            await assertNoResourceViolations(noMutableTags, args(noMutableTags, configMap("settings", { imageTag: "latest", "image.txt": `${repo}:latest` })));
            await assertNoResourceViolations(noMutableTags, args(noMutableTags, { type: "aws:ecr/repository:Repository", name: "r", props: { name: "backend", imageTagMutability: "IMMUTABLE" } }));
        });

        it("reports a config that names no preset instead of passing", async () => {
            const violations = await runResourcePolicy(noMutableTags, resourceArgs({ ...runs(`${repo}:latest`), config: {} }));
            assert.deepStrictEqual(violations.length, 1);
            assert.match(violations[0], /names no known preset .*--policy-pack-config policies\/config\.<stack>\.json/);
        });
    });

    describe("tag-scheme", () => {
        it("passes a calver tag on a workload annotated calver", async () => {
            await assertNoResourceViolations(tagScheme, args(tagScheme, deployment()));
        });

        it("refuses a tag that does not follow the annotated scheme", async () => {
            await assertHasResourceViolation(tagScheme, args(tagScheme, runs(`${repo}:1.4.2@${digestOf("a")}`)), /tag '1\.4\.2' does not follow/);
        });

        it("fails closed on a workload without the pinstack.dev/scheme annotation", async () => {
            await assertHasResourceViolation(tagScheme, args(tagScheme, deployment({ scheme: null })), /has no pinstack\.dev\/scheme annotation/);
        });

        it("fails closed on a workload without any pinstack annotation (not made by ServiceRelease)", async () => {
            await assertHasResourceViolation(tagScheme, args(tagScheme, workload("CronJob", { annotations: null })), /^CronJob .* has no pinstack\.dev\/scheme annotation/);
        });

        it("reports the missing annotation on playground as well (advisory there)", async () => {
            assert.strictEqual(readLevel("playground", "tag-scheme"), "advisory");
            await assertHasResourceViolation(tagScheme, args(tagScheme, deployment({ scheme: null }), "playground"), /has no pinstack\.dev\/scheme/);
        });

        it("refuses a scheme the stack does not allow (any, on production)", async () => {
            await assertHasResourceViolation(tagScheme, args(tagScheme, deployment({ scheme: "any" })), /declares scheme 'any', which production does not allow/);
        });

        it("refuses an annotation that names no scheme", async () => {
            await assertHasResourceViolation(tagScheme, args(tagScheme, deployment({ scheme: "whatever" })), /is 'whatever', which is not a tag scheme/);
        });

        it("fails closed when the annotation is unknown during preview", async () => {
            await assertHasResourceViolation(tagScheme, args(tagScheme, deployment({ scheme: unknownStringValue })), /annotation cannot be known during preview/);
        });

        it("applies the scheme to the main container only, not to sidecars", async () => {
            const resource = deployment({ sidecars: [{ name: "envoy", image: `ghcr.io/pinstack-example/envoy:1.29.0@${digestOf("c")}` }] });
            await assertNoResourceViolations(tagScheme, args(tagScheme, resource));
        });

        it("leaves latest to no-mutable-tags", async () => {
            await assertNoResourceViolations(tagScheme, args(tagScheme, runs(`${repo}:latest`)));
        });
    });

    describe("no-prereleases", () => {
        const semver = (tag: string) => runs(`${repo}:${tag}@${digestOf("a")}`, { scheme: "semver" });

        it("passes a final release", async () => {
            await assertNoResourceViolations(noPrereleases, args(noPrereleases, semver("1.4.2")));
        });

        it("refuses a release candidate on production", async () => {
            await assertHasResourceViolation(noPrereleases, args(noPrereleases, semver("1.4.2-rc.1")), /'1\.4\.2-rc\.1' is a prerelease/);
        });

        it("refuses semver build metadata, which no image tag can carry ('+' is not a tag character)", async () => {
            await assertHasResourceViolation(noPrereleases, args(noPrereleases, semver("1.4.2+build.5")), /is not a valid image reference \(the tag '1\.4\.2\+build\.5' contains '\+'/);
        });

        it("refuses a prerelease sidecar (no scheme: judged by its prerelease markers)", async () => {
            const resource = deployment({ sidecars: [{ name: "agent", image: `ghcr.io/pinstack-example/agent:2.0.0-beta.1@${digestOf("d")}` }] });
            await assertHasResourceViolation(noPrereleases, args(noPrereleases, resource), /container agent: .*'2\.0\.0-beta\.1'/);
        });

        for (const tag of ["2023.06.1-rc1", "2023.06.1rc1", "2023.06.1.dev1", "v1.2rc1", "v1.4.0.rc1", "1.0.0-SNAPSHOT", "2.0b1", "1.0a2"]) {
            it(`refuses a sidecar, an init container and a main container declared calver on ${tag}`, async () => {
                const image = `ghcr.io/pinstack-example/agent:${tag}@${digestOf("d")}`;
                const resource = deployment({ runs: `${repo}:${tag}@${digestOf("a")}`, sidecars: [{ name: "agent", image }], initContainers: [{ name: "warm", image }] });
                const escaped = tag.replace(/\./g, "\\.");
                await assertHasResourceViolation(
                    noPrereleases,
                    args(noPrereleases, resource),
                    new RegExp(`container backend: .*'${escaped}' is a prerelease`),
                    new RegExp(`container agent: .*'${escaped}' is a prerelease`),
                    new RegExp(`init container warm: .*'${escaped}' is a prerelease`),
                );
            });
        }

        it("passes sidecars on image variants, builds and commits (1.25.3-alpine is no prerelease without a semver scheme)", async () => {
            for (const tag of ["1.25.3-alpine", "3.12-slim-bookworm", "1.27.0-bookworm", "15.4-debian-12-r7", "v2.0.2", "a1b2c3d"]) {
                const resource = deployment({ sidecars: [{ name: "agent", image: `ghcr.io/pinstack-example/agent:${tag}@${digestOf("d")}` }] });
                await assertNoResourceViolations(noPrereleases, args(noPrereleases, resource));
            }
        });

        it("lets staging take release candidates", async () => {
            await assertNoResourceViolations(noPrereleases, args(noPrereleases, semver("1.4.2-rc.1"), "staging"));
            const resource = deployment({ sidecars: [{ name: "agent", image: `ghcr.io/pinstack-example/agent:2023.06.1-rc1` }] });
            await assertNoResourceViolations(noPrereleases, args(noPrereleases, resource, "staging"));
        });
    });

    describe("digest-required", () => {
        it("passes an image with its digest", async () => {
            await assertNoResourceViolations(digestRequired, args(digestRequired, deployment()));
        });

        it("refuses a tag-only image on production", async () => {
            await assertHasResourceViolation(digestRequired, args(digestRequired, runs(`${repo}:2023.06.1`)), /has no digest; production pins digests/);
        });

        it("refuses a tag-only init container on production", async () => {
            const resource = deployment({ initContainers: [{ name: "migrate", image: `${repo}:2023.06.1` }] });
            await assertHasResourceViolation(digestRequired, args(digestRequired, resource), /init container migrate: .*has no digest/);
        });

        for (const hex of ["abc", "a".repeat(63), "a".repeat(65)]) {
            it(`refuses a tag plus a digest of the wrong length (${hex.length} hex digits)`, async () => {
                await assertHasResourceViolation(digestRequired, args(digestRequired, runs(`${repo}:2023.06.1@sha256:${hex}`)), /is not a valid image reference \(.*digest/);
            });
        }

        it("lets staging run tag-only images", async () => {
            await assertNoResourceViolations(digestRequired, args(digestRequired, runs(`${repo}:2023.06.1`), "staging"));
        });
    });

    describe("registry-allowed", () => {
        it("passes an image from the stack's allowed registry and path", async () => {
            assert.deepStrictEqual(configFromFile("production", "registry-allowed").registries, ["ghcr.io/pinstack-example"]);
            await assertNoResourceViolations(registryAllowed, args(registryAllowed, deployment()));
        });

        it("refuses a Docker Hub image", async () => {
            await assertHasResourceViolation(registryAllowed, args(registryAllowed, runs(`nginx:1.25.3@${digestOf("e")}`)), /comes from docker\.io, which production does not allow/);
        });

        it("refuses the allowed host with a port that is not listed", async () => {
            await assertHasResourceViolation(registryAllowed, args(registryAllowed, runs(`ghcr.io:443/pinstack-example/backend:2023.06.1@${digestOf("a")}`)), /comes from ghcr\.io:443/);
        });

        it("treats a port as part of the registry: host listed without the port does not allow host:port", async () => {
            const image = `registry.example.com:5000/team/backend:2023.06.1@${digestOf("a")}`;
            await assertHasResourceViolation(registryAllowed, args(registryAllowed, runs(image), "production", { registries: ["registry.example.com"] }), /comes from registry\.example\.com:5000/);
            await assertNoResourceViolations(registryAllowed, args(registryAllowed, runs(image), "production", { registries: ["registry.example.com:5000"] }));
        });

        it("matches a path prefix only at a path boundary", async () => {
            await assertHasResourceViolation(registryAllowed, args(registryAllowed, runs(`ghcr.io/pinstack-example-evil/backend:2023.06.1@${digestOf("a")}`)), /comes from ghcr\.io/);
        });

        it("refuses a sidecar from another registry", async () => {
            const resource = deployment({ sidecars: [{ name: "envoy", image: `docker.io/envoyproxy/envoy:v1.29.0@${digestOf("f")}` }] });
            await assertHasResourceViolation(registryAllowed, args(registryAllowed, resource), /container envoy: .*docker\.io/);
        });

        it("allows any registry on playground (no list)", async () => {
            await assertNoResourceViolations(registryAllowed, args(registryAllowed, runs("nginx:1.25.3"), "playground"));
        });
    });

    describe("production-branch-tag", () => {
        const branchTags = { productionBranchTags: { [repo]: ["2023.05.1", "2023.06.1"] } };

        it("passes when CI gave no production-branch tags and gates are not strict", async () => {
            await assertNoResourceViolations(productionBranchTag, args(productionBranchTag, deployment()));
        });

        it("passes a tag on the production branch", async () => {
            await assertNoResourceViolations(productionBranchTag, args(productionBranchTag, deployment(), "production", branchTags));
        });

        it("refuses a tag that is not on the production branch", async () => {
            await assertHasResourceViolation(productionBranchTag, args(productionBranchTag, runs(`${repo}:2023.06.2@${digestOf("a")}`), "production", branchTags), /tag '2023\.06\.2' is not on the production branch/);
        });

        it("with strictGates, refuses a repository CI gave no tags for", async () => {
            const resource = deployment({ sidecars: [{ name: "envoy", image: `ghcr.io/pinstack-example/envoy:1.29.0@${digestOf("c")}` }] });
            await assertHasResourceViolation(productionBranchTag, args(productionBranchTag, resource, "production", { ...branchTags, strictGates: true }), /no production-branch tags were given for ghcr\.io\/pinstack-example\/envoy/);
        });

        it("does not apply on staging", async () => {
            await assertNoResourceViolations(productionBranchTag, args(productionBranchTag, runs(`${repo}:2023.06.2`), "staging", branchTags));
        });
    });
});

function readLevel(stack: string, policy: string): string {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(`../../../policies/config.${stack}.json`)[policy].enforcementLevel;
}
