import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import type { ServicePin } from "../../../lib/model";
import { AnnotationKeys, LabelKeys } from "../../../lib/contract";
import { ServiceRelease, ServiceReleaseArgs } from "../../../components/ServiceRelease";
import { digestA, digestB, provenance, servicePin } from "./fixtures";
import { Harness, mockEngine, promiseOf, registryDigest } from "./harness";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";
const CONFIGMAP = "kubernetes:core/v1:ConfigMap";
const JOB = "kubernetes:batch/v1:Job";

/** Builds one ServiceRelease in a fresh mock engine and waits for every registration. */
async function release(pin: ServicePin, args: Partial<ServiceReleaseArgs> = {}, preview = false) {
    const engine = await mockEngine({ stack: "production", preview });
    const component = new ServiceRelease(pin.name, {
        pin,
        namespace: "production-stack",
        replicas: 3,
        partOf: "pinstack",
        stack: "production",
        environment: "production",
        ...args,
    });
    await engine.settle();
    return { engine, component };
}

function container(deployment: { inputs: any }): any {
    return deployment.inputs.spec.template.spec.containers[0];
}

function versionFile(engine: Harness, deploymentName: string): any {
    const deployment = engine.named(DEPLOYMENT, deploymentName);
    const volume = deployment.inputs.spec.template.spec.volumes.find((v: any) => v.name === "version");
    const configMap = engine.named(CONFIGMAP, volume.configMap.name);
    return JSON.parse(configMap.inputs.data["version.json"]);
}

describe("ServiceRelease", () => {
    describe("in-place", () => {
        it("runs exactly the pinned image, digest included, in the stack's namespace", async () => {
            const { engine, component } = await release(servicePin());
            const deployment = engine.named(DEPLOYMENT, "backend");
            assert.strictEqual(container(deployment).image, `ghcr.io/pinstack-example/backend:2023.05.1@${digestA}`);
            assert.strictEqual(deployment.inputs.metadata.namespace, "production-stack");
            assert.strictEqual(engine.ofType(DEPLOYMENT).length, 1);
            assert.strictEqual(await promiseOf(component.image), `ghcr.io/pinstack-example/backend:2023.05.1@${digestA}`);
        });

        it("uses the preset's replicas unless the pin sets its own", async () => {
            const preset = await release(servicePin());
            assert.strictEqual(preset.engine.named(DEPLOYMENT, "backend").inputs.spec.replicas, 3);
            const own = await release(servicePin({ replicas: 5 }));
            assert.strictEqual(own.engine.named(DEPLOYMENT, "backend").inputs.spec.replicas, 5);
        });

        it("rolls in place without taking pods away first", async () => {
            const { engine } = await release(servicePin());
            assert.deepStrictEqual(engine.named(DEPLOYMENT, "backend").inputs.spec.strategy, {
                type: "RollingUpdate",
                rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 },
            });
        });

        it("labels every object and selects on the service name only", async () => {
            const { engine } = await release(servicePin());
            const deployment = engine.named(DEPLOYMENT, "backend");
            assert.deepStrictEqual(deployment.inputs.metadata.labels, {
                [LabelKeys.name]: "backend",
                [LabelKeys.partOf]: "pinstack",
                [LabelKeys.managedBy]: "pinstack",
                [LabelKeys.version]: "2023.05.1",
            });
            assert.deepStrictEqual(deployment.inputs.spec.selector, { matchLabels: { [LabelKeys.name]: "backend" } });
            assert.deepStrictEqual(deployment.inputs.spec.template.metadata.labels, deployment.inputs.metadata.labels);
            const service = engine.named(SERVICE, "backend");
            assert.deepStrictEqual(service.inputs.spec.selector, { [LabelKeys.name]: "backend" });
            assert.deepStrictEqual(service.inputs.spec.ports, [{ name: "http", port: 8000, targetPort: "http", protocol: "TCP" }]);
            assert.strictEqual(service.inputs.metadata.labels[LabelKeys.version], undefined, "the Service spans versions");
        });

        it("makes a version label out of build metadata, keeping the exact version in version.json", async () => {
            const { engine } = await release(servicePin({ tag: "1.4.0+build.7", scheme: "semver", digest: undefined }));
            assert.strictEqual(engine.named(DEPLOYMENT, "backend").inputs.metadata.labels[LabelKeys.version], "1.4.0_build.7");
            assert.strictEqual(versionFile(engine, "backend").version, "1.4.0+build.7");
        });

        it("annotates the Deployment with scheme, pin and provenance", async () => {
            const { engine } = await release(servicePin({ provenance: { ...provenance, rollback: true } }));
            assert.deepStrictEqual(engine.named(DEPLOYMENT, "backend").inputs.metadata.annotations, {
                [AnnotationKeys.stack]: "production",
                [AnnotationKeys.environment]: "production",
                [AnnotationKeys.strategy]: "in-place",
                [AnnotationKeys.pin]: `ghcr.io/pinstack-example/backend:2023.05.1@${digestA}`,
                [AnnotationKeys.scheme]: "calver",
                [AnnotationKeys.promotedFrom]: "staging",
                [AnnotationKeys.promotedBy]: "release@example.org",
                [AnnotationKeys.promotedAt]: "2023-05-02T10:00:00Z",
                [AnnotationKeys.reason]: "release 2023.05.1",
                [AnnotationKeys.seal]: provenance.seal,
                [AnnotationKeys.rollback]: "true",
                // The stack file wins over a hand edit in the cluster (server-side apply conflicts).
                "pulumi.com/patchForce": "true",
            });
        });

        it("takes back fields edited by hand on the Deployment, the Service and the app ConfigMap (patchForce), not on Jobs or version files", async () => {
            const { engine } = await release(servicePin({ strategy: "read-only", readOnly: true, migrations: { command: ["migrate"] } }));
            for (const r of engine.registrations.filter((r) => r.type.startsWith("kubernetes:"))) {
                const forced = r.inputs.metadata?.annotations?.["pulumi.com/patchForce"];
                const expected = [DEPLOYMENT, "kubernetes:core/v1:Service"].includes(r.type) || r.inputs.metadata?.name === "backend-config";
                assert.strictEqual(forced, expected ? "true" : undefined, `${r.type} ${r.inputs.metadata?.name}`);
            }
        });

        it("leaves provenance annotations out for a typed-in pin", async () => {
            const { engine } = await release(servicePin());
            const annotations = engine.named(DEPLOYMENT, "backend").inputs.metadata.annotations;
            assert.strictEqual(annotations[AnnotationKeys.promotedFrom], undefined);
            assert.strictEqual(annotations[AnnotationKeys.seal], undefined);
        });

        it("turns configured probes into HTTP probes on the app port", async () => {
            const { engine } = await release(servicePin({
                readiness: { path: "/api/health", periodSeconds: 5 },
                liveness: { path: "/__lbheartbeat__", port: 9000, initialDelaySeconds: 10 },
            }));
            const app = container(engine.named(DEPLOYMENT, "backend"));
            assert.deepStrictEqual(app.readinessProbe, { httpGet: { path: "/api/health", port: "http" }, periodSeconds: 5 });
            assert.deepStrictEqual(app.livenessProbe, { httpGet: { path: "/__lbheartbeat__", port: 9000 }, initialDelaySeconds: 10 });
            assert.deepStrictEqual(app.ports, [{ name: "http", containerPort: 8000, protocol: "TCP" }]);
        });

        it("has no probes when none are configured", async () => {
            const app = container((await release(servicePin())).engine.named(DEPLOYMENT, "backend"));
            assert.strictEqual(app.readinessProbe, undefined);
            assert.strictEqual(app.livenessProbe, undefined);
        });

        it("env values that are secure: in the stack file go to a Secret the containers reference; the pod spec stays readable", async () => {
            const pin = servicePin({ name: "api", env: { TOKEN: "hunter2-topsecret", LEVEL: "info" }, migrations: { command: ["./migrate"] } });
            const { engine, component } = await release(pin, { secretEnv: ["TOKEN"] });
            const deployment = engine.named(DEPLOYMENT, "api");
            assert.ok(deployment.inputs.spec.template, "the Deployment's spec is not wrapped as a secret (image diffs stay visible)");
            const expected = [{ name: "LEVEL", value: "info" }, { name: "TOKEN", valueFrom: { secretKeyRef: { name: "api-env", key: "TOKEN" } } }];
            assert.deepStrictEqual(container(deployment).env, expected);
            assert.deepStrictEqual(engine.registrations.find((r) => r.type === JOB)!.inputs.spec.template.spec.containers[0].env, expected, "the migrations Job too");
            assert.ok(!JSON.stringify([deployment.inputs, engine.registrations.find((r) => r.type === JOB)!.inputs]).includes("hunter2"), "no secret value in a pod spec");
            const secret = engine.named("kubernetes:core/v1:Secret", "api-env");
            assert.deepStrictEqual([secret.inputs.metadata.name, secret.inputs.metadata.namespace], ["api-env", "production-stack"]);
            assert.strictEqual(await pulumi.isSecret(component.envSecret!.stringData), true, "Pulumi keeps the Secret's data secret");
            assert.deepStrictEqual(await promiseOf(component.envSecret!.stringData), { TOKEN: "hunter2-topsecret" });
        });

        it("without secret env, no Secret", async () => {
            const { engine } = await release(servicePin({ env: { LEVEL: "info" } }), { secretEnv: [] });
            assert.strictEqual(engine.registrations.filter((r) => r.type === "kubernetes:core/v1:Secret").length, 0);
        });

        it("passes env sorted by name and runs sidecars and init containers under the same pin rules", async () => {
            const { engine } = await release(servicePin({
                env: { ZED: "1", ALPHA: "2" },
                sidecars: [{ name: "proxy", image: "docker.io/envoyproxy/envoy", tag: "v1.30.1", digest: digestB }],
                initContainers: [{ name: "wait-db", image: "docker.io/library/busybox", tag: "1.36.1" }],
            }));
            const pod = engine.named(DEPLOYMENT, "backend").inputs.spec.template.spec;
            assert.deepStrictEqual(pod.containers[0].env, [{ name: "ALPHA", value: "2" }, { name: "ZED", value: "1" }]);
            assert.deepStrictEqual(pod.containers.slice(1), [{ name: "proxy", image: `docker.io/envoyproxy/envoy:v1.30.1@${digestB}` }]);
            assert.deepStrictEqual(pod.initContainers, [{ name: "wait-db", image: "docker.io/library/busybox:1.36.1" }]);
        });
    });

    describe("pinstack.dev/containers: what the seal covers besides the service's own image", () => {
        const extras = {
            sidecars: [{ name: "proxy", image: "docker.io/envoyproxy/envoy", tag: "v1.30.1", digest: digestB }],
            initContainers: [{ name: "wait-db", image: "docker.io/library/busybox", tag: "1.36.1" }],
        };

        it("declares them as configured on every Deployment and the migrations Job, lists in pod order", async () => {
            const { engine } = await release(servicePin({ ...extras, strategy: "blue-green", activeColor: "green", previous: { tag: "2023.04.2", digest: digestB }, migrations: { command: ["./migrate"] } }));
            const expected = JSON.stringify({
                initContainers: [{ name: "wait-db", pin: "docker.io/library/busybox:1.36.1" }],
                sidecars: [{ name: "proxy", pin: `docker.io/envoyproxy/envoy:v1.30.1@${digestB}` }],
            });
            const annotated = [...engine.ofType(DEPLOYMENT), ...engine.ofType(JOB)];
            assert.strictEqual(annotated.length, 3);
            for (const object of annotated) assert.strictEqual(object.inputs.metadata.annotations[AnnotationKeys.containers], expected, object.inputs.metadata.name);
        });

        it("keeps a tag-only container tag-only in the annotation when its digest is looked up (what config pins)", async () => {
            const { engine } = await release(servicePin({ ...extras, tag: "2023.05.1", digest: undefined }), { resolveDigests: true }, false);
            const deployment = engine.named(DEPLOYMENT, "backend");
            assert.match(deployment.inputs.metadata.annotations[AnnotationKeys.containers], /"pin":"docker\.io\/library\/busybox:1\.36\.1"/);
        });

        it("is left out for a service without init containers or sidecars", async () => {
            const { engine } = await release(servicePin({ sidecars: [], initContainers: [] }));
            assert.ok(!(AnnotationKeys.containers in engine.named(DEPLOYMENT, "backend").inputs.metadata.annotations));
        });
    });

    describe("version.json", () => {
        it("carries version, commit, image with digest and the stack it was promoted from", async () => {
            const { engine } = await release(servicePin({ commit: "0a1b2c3d4e5f", provenance }));
            assert.deepStrictEqual(versionFile(engine, "backend"), {
                service: "backend",
                version: "2023.05.1",
                commit: "0a1b2c3d4e5f",
                image: `ghcr.io/pinstack-example/backend:2023.05.1@${digestA}`,
                promotedFrom: "staging",
            });
        });

        it("prefers the configured version over the tag (Merino versions by commit)", async () => {
            const { engine } = await release(servicePin({ tag: "9f8e7d6", scheme: "commit", version: "9f8e7d6c5b4a", commit: "9f8e7d6c5b4a" }));
            assert.strictEqual(versionFile(engine, "backend").version, "9f8e7d6c5b4a");
            assert.strictEqual(engine.named(DEPLOYMENT, "backend").inputs.metadata.labels[LabelKeys.version], "9f8e7d6c5b4a");
        });

        it("is an immutable ConfigMap named after its content, mounted where the app serves it", async () => {
            const first = await release(servicePin());
            const deployment = first.engine.named(DEPLOYMENT, "backend");
            const volume = deployment.inputs.spec.template.spec.volumes.find((v: any) => v.name === "version");
            assert.match(volume.configMap.name, /^backend-version-[0-9a-f]{8}$/);
            assert.strictEqual(first.engine.named(CONFIGMAP, volume.configMap.name).inputs.immutable, true);
            assert.deepStrictEqual(container(deployment).volumeMounts, [
                { name: "version", mountPath: "/app/version.json", subPath: "version.json", readOnly: true },
            ]);

            const same = await release(servicePin());
            const again = same.engine.named(DEPLOYMENT, "backend").inputs.spec.template.spec.volumes[0].configMap.name;
            assert.strictEqual(again, volume.configMap.name, "the same pin keeps the same name");
            const next = await release(servicePin({ tag: "2023.05.2", digest: digestB }));
            const moved = next.engine.named(DEPLOYMENT, "backend").inputs.spec.template.spec.volumes[0].configMap.name;
            assert.notStrictEqual(moved, volume.configMap.name, "a new pin gets a new version ConfigMap");
        });

        it("mounts at a configured path", async () => {
            const { engine } = await release(servicePin(), { versionFilePath: "/srv/merino/version.json" });
            assert.strictEqual(container(engine.named(DEPLOYMENT, "backend")).volumeMounts[0].mountPath, "/srv/merino/version.json");
        });
    });

    describe("migrations", () => {
        const withMigrations = (overrides: Partial<ServicePin> = {}) =>
            servicePin({ migrations: { command: ["python", "manage.py", "migrate"] }, ...overrides });

        it("runs the command once in the service's own image, without retries", async () => {
            const { engine } = await release(withMigrations());
            const [job] = engine.ofType(JOB);
            assert.match(job.inputs.metadata.name, /^backend-migrate-[0-9a-f]{8}$/);
            assert.strictEqual(job.inputs.metadata.namespace, "production-stack");
            assert.strictEqual(job.inputs.spec.backoffLimit, 0);
            const pod = job.inputs.spec.template.spec;
            assert.strictEqual(pod.restartPolicy, "Never");
            assert.strictEqual(pod.containers[0].image, `ghcr.io/pinstack-example/backend:2023.05.1@${digestA}`);
            assert.deepStrictEqual(pod.containers[0].command, ["python", "manage.py", "migrate"]);
            assert.strictEqual(job.inputs.metadata.annotations[AnnotationKeys.pin], `ghcr.io/pinstack-example/backend:2023.05.1@${digestA}`);
        });

        it("must complete before the Deployment rolls: the Deployment depends on the Job", async () => {
            const { engine } = await release(withMigrations());
            const [job] = engine.ofType(JOB);
            const deployment = engine.named(DEPLOYMENT, "backend");
            assert.ok(deployment.dependencies.includes(job.urn), `${deployment.dependencies} should include ${job.urn}`);
            assert.ok(engine.registrations.indexOf(job) < engine.registrations.indexOf(deployment));
        });

        it("is named after the pin: a new pin gives a new Job, the same pin the same Job", async () => {
            const name = async (pin: ServicePin) => (await release(pin)).engine.ofType(JOB)[0].inputs.metadata.name;
            const first = await name(withMigrations());
            assert.strictEqual(await name(withMigrations()), first);
            assert.notStrictEqual(await name(withMigrations({ tag: "2023.05.2" })), first);
            assert.notStrictEqual(await name(withMigrations({ digest: digestB })), first);
            assert.notStrictEqual(await name(withMigrations({ migrations: { command: ["./migrate", "--fake"] } })), first);
        });

        it("creates no Job and no ordering without migrations", async () => {
            const { engine } = await release(servicePin());
            assert.strictEqual(engine.ofType(JOB).length, 0);
        });
    });

    describe("blue-green", () => {
        const blueGreen = (overrides: Partial<ServicePin> = {}) =>
            servicePin({ strategy: "blue-green", activeColor: "blue", previous: { tag: "2023.04.2", digest: digestB }, ...overrides });

        it("runs two coloured Deployments and points the Service at the active colour", async () => {
            const { engine } = await release(blueGreen());
            assert.deepStrictEqual(engine.ofType(DEPLOYMENT).map((d) => d.inputs.metadata.name), ["backend-blue", "backend-green"]);
            assert.deepStrictEqual(engine.named(SERVICE, "backend").inputs.spec.selector, {
                [LabelKeys.name]: "backend",
                [LabelKeys.color]: "blue",
            });
            for (const color of ["blue", "green"]) {
                const deployment = engine.named(DEPLOYMENT, `backend-${color}`);
                assert.deepStrictEqual(deployment.inputs.spec.selector.matchLabels, { [LabelKeys.name]: "backend", [LabelKeys.color]: color });
                assert.strictEqual(deployment.inputs.spec.template.metadata.labels[LabelKeys.color], color);
            }
        });

        it("runs the pin on the active colour and keeps the previous pin on the other", async () => {
            const { engine, component } = await release(blueGreen({ activeColor: "green", provenance }));
            const green = engine.named(DEPLOYMENT, "backend-green");
            const blue = engine.named(DEPLOYMENT, "backend-blue");
            assert.strictEqual(container(green).image, `ghcr.io/pinstack-example/backend:2023.05.1@${digestA}`);
            assert.strictEqual(container(blue).image, `ghcr.io/pinstack-example/backend:2023.04.2@${digestB}`);
            assert.strictEqual(blue.inputs.metadata.labels[LabelKeys.version], "2023.04.2");
            assert.strictEqual(versionFile(engine, "backend-blue").version, "2023.04.2");
            assert.strictEqual(versionFile(engine, "backend-green").promotedFrom, "staging");
            assert.strictEqual(blue.inputs.metadata.annotations[AnnotationKeys.seal], undefined, "standby carries no provenance");
            assert.strictEqual(green.inputs.metadata.annotations[AnnotationKeys.seal], provenance.seal);
            assert.strictEqual(await promiseOf(component.image), `ghcr.io/pinstack-example/backend:2023.05.1@${digestA}`);
        });

        it("names the stack's promoteFrom in the standby's version.json, so a switch back keeps both files", async () => {
            const plain = await release(blueGreen({ activeColor: "green", provenance }));
            assert.strictEqual(versionFile(plain.engine, "backend-blue").promotedFrom, "");
            const production = await release(blueGreen({ activeColor: "green", provenance }), { promoteFrom: "staging" });
            assert.strictEqual(versionFile(production.engine, "backend-blue").promotedFrom, "staging");
            assert.strictEqual(versionFile(production.engine, "backend-green").promotedFrom, "staging");
        });

        it("runs the pin on both colours while there is no previous pin", async () => {
            const { engine } = await release(blueGreen({ previous: undefined }));
            for (const name of ["backend-blue", "backend-green"]) {
                assert.strictEqual(container(engine.named(DEPLOYMENT, name)).image, `ghcr.io/pinstack-example/backend:2023.05.1@${digestA}`);
            }
        });

        it("switching back (pins exchanged, colour flipped) changes only the Service selector", async () => {
            const before = await release(blueGreen({ activeColor: "blue" }));
            const after = await release(blueGreen({
                activeColor: "green",
                tag: "2023.04.2",
                digest: digestB,
                previous: { tag: "2023.05.1", digest: digestA },
            }));
            const byName = (engine: Harness) => new Map(engine.registrations.map((r) => [`${r.type} ${r.name}`, r.inputs]));
            const a = byName(before.engine);
            const b = byName(after.engine);
            assert.deepStrictEqual([...b.keys()].sort(), [...a.keys()].sort());
            const changed = [...a.keys()].filter((key) => JSON.stringify(a.get(key)) !== JSON.stringify(b.get(key)));
            assert.deepStrictEqual(changed, [`${SERVICE} backend`]);
            assert.strictEqual(b.get(`${SERVICE} backend`)!.spec.selector[LabelKeys.color], "green");
        });

        it("promoting (new pin, previous = old pin, colour flipped) leaves the old colour untouched", async () => {
            const before = await release(blueGreen({ activeColor: "blue", previous: undefined }));
            const after = await release(blueGreen({
                activeColor: "green",
                tag: "2023.06.1",
                digest: `sha256:${"77".repeat(32)}`,
                previous: { tag: "2023.05.1", digest: digestA },
            }));
            const blueBefore = before.engine.named(DEPLOYMENT, "backend-blue").inputs;
            const blueAfter = after.engine.named(DEPLOYMENT, "backend-blue").inputs;
            assert.deepStrictEqual(blueAfter, blueBefore);
            assert.notDeepStrictEqual(after.engine.named(DEPLOYMENT, "backend-green").inputs, before.engine.named(DEPLOYMENT, "backend-green").inputs);
        });

        it("waits for migrations only on the colour that runs the new pin", async () => {
            const { engine } = await release(blueGreen({ activeColor: "green", migrations: { command: ["./migrate"] } }));
            const [job] = engine.ofType(JOB);
            assert.ok(engine.named(DEPLOYMENT, "backend-green").dependencies.includes(job.urn));
            assert.ok(!engine.named(DEPLOYMENT, "backend-blue").dependencies.includes(job.urn));
        });

        it("moves traffic only after the Deployments it may select", async () => {
            const { engine } = await release(blueGreen());
            const service = engine.named(SERVICE, "backend");
            for (const deployment of engine.ofType(DEPLOYMENT)) {
                assert.ok(service.dependencies.includes(deployment.urn));
            }
        });
    });

    describe("read-only window", () => {
        const readOnly = (open: boolean) =>
            servicePin({ strategy: "read-only", readOnly: open, migrations: { command: ["./migrate"] } });

        it("sets READ_ONLY=true in the app ConfigMap in the update that carries the migration", async () => {
            const { engine } = await release(readOnly(true));
            const config = engine.named(CONFIGMAP, "backend-config");
            assert.deepStrictEqual(config.inputs.data, { READ_ONLY: "true" });
            const [job] = engine.ofType(JOB);
            assert.ok(job.dependencies.includes(config.urn), "the flag is set before the migration starts");
            assert.ok(engine.named(DEPLOYMENT, "backend").dependencies.includes(job.urn));
        });

        it("clears the flag with readOnly: false, rolling the pods so no process keeps a stale flag", async () => {
            const open = await release(readOnly(true));
            const closed = await release(readOnly(false));
            assert.deepStrictEqual(closed.engine.named(CONFIGMAP, "backend-config").inputs.data, { READ_ONLY: "false" });
            const hash = (engine: Harness) =>
                engine.named(DEPLOYMENT, "backend").inputs.spec.template.metadata.annotations[AnnotationKeys.configHash];
            assert.match(hash(open.engine), /^[0-9a-f]{8}$/);
            assert.notStrictEqual(hash(closed.engine), hash(open.engine));
        });

        it("gives the flag to the app as a live file and as an environment variable", async () => {
            const { engine } = await release(readOnly(true));
            const pod = engine.named(DEPLOYMENT, "backend").inputs.spec.template.spec;
            assert.deepStrictEqual(pod.containers[0].env, [
                { name: "READ_ONLY", valueFrom: { configMapKeyRef: { name: "backend-config", key: "READ_ONLY" } } },
            ]);
            assert.ok(pod.containers[0].volumeMounts.some((m: any) => m.mountPath === "/etc/pinstack/config" && !m.subPath));
            assert.ok(pod.volumes.some((v: any) => v.configMap?.name === "backend-config"));
        });

        it("other strategies keep no app ConfigMap", async () => {
            const { engine } = await release(servicePin());
            assert.deepStrictEqual(engine.ofType(CONFIGMAP).map((c) => c.inputs.metadata.name).filter((n) => !n.includes("-version-")), []);
        });
    });

    describe("image digests", () => {
        it("resolves a tag-only pin through the registry when asked", async () => {
            const { engine, component } = await release(servicePin({ digest: undefined }), { resolveDigests: true });
            const lookups = engine.calls.filter((c) => c.token === "docker:index/getRegistryImage:getRegistryImage");
            assert.deepStrictEqual(lookups.map((c) => c.inputs.name), ["ghcr.io/pinstack-example/backend:2023.05.1"]);
            const expected = `ghcr.io/pinstack-example/backend:2023.05.1@${registryDigest("ghcr.io/pinstack-example/backend:2023.05.1")}`;
            assert.strictEqual(container(engine.named(DEPLOYMENT, "backend")).image, expected);
            assert.strictEqual(versionFile(engine, "backend").image, expected);
            assert.strictEqual(await promiseOf(component.image), expected);
        });

        it("never looks up a pinned digest: the reviewed digest is deployed", async () => {
            const { engine } = await release(servicePin(), { resolveDigests: true });
            assert.deepStrictEqual(engine.calls, []);
            assert.strictEqual(container(engine.named(DEPLOYMENT, "backend")).image, `ghcr.io/pinstack-example/backend:2023.05.1@${digestA}`);
        });

        it("does not ask the registry unless told to", async () => {
            const { engine } = await release(servicePin({ digest: undefined }));
            assert.deepStrictEqual(engine.calls, []);
            assert.strictEqual(container(engine.named(DEPLOYMENT, "backend")).image, "ghcr.io/pinstack-example/backend:2023.05.1");
        });

        it("resolves the standby colour's pin too, once per reference", async () => {
            const { engine } = await release(
                servicePin({ strategy: "blue-green", digest: undefined, previous: { tag: "2023.04.2" } }),
                { resolveDigests: true },
            );
            const names = engine.calls.map((c) => c.inputs.name).sort();
            assert.deepStrictEqual(names, ["ghcr.io/pinstack-example/backend:2023.04.2", "ghcr.io/pinstack-example/backend:2023.05.1"]);
        });
    });

    it("registers the same objects in preview", async () => {
        const { engine } = await release(servicePin({ migrations: { command: ["./migrate"] } }), {}, true);
        assert.deepStrictEqual(
            engine.registrations.filter((r) => r.custom).map((r) => r.type).sort(),
            [DEPLOYMENT, JOB, CONFIGMAP, SERVICE].sort(),
        );
    });
});
