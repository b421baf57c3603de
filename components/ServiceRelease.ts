import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ExtraContainer, Probe, ServicePin } from "../lib/model";
import { resolveImageReference } from "./imageDigest";
import { AnnotationKeys, LabelKeys, labelValue, pinAnnotations, serviceLabels } from "../lib/contract";
import { ImagePin, pinReference, pinVersion } from "../lib/pin";
import { kubernetesName, shortHash } from "./naming";
import { CutoverPlan, migrationsJobName, migrationsJobSpec, strategyFor } from "./strategies";
import { versionJson } from "./versionFile";

/** Arguments of a {@link ServiceRelease}. */
export interface ServiceReleaseArgs {
    /** The validated pin (lib/config); the cutover strategy and every name are decided from it. */
    readonly pin: ServicePin;
    /** Namespace of every object (Fragalysis deploys to `production-stack`). */
    readonly namespace: pulumi.Input<string>;
    /** Replicas per Deployment when the pin does not set its own (the preset's count). */
    readonly replicas: number;
    /** `app.kubernetes.io/part-of`: the Pulumi project. */
    readonly partOf: string;
    /** Stack and preset, written as annotations for the audit trail. */
    readonly stack: string;
    readonly environment: string;
    /** Resolve tag-only pins to digests through the Docker registry (see imageDigest.ts). */
    readonly resolveDigests?: boolean;
    /** Docker provider for digest lookups; the default provider when absent. */
    readonly dockerProvider?: pulumi.ProviderResource;
    /** Where the app reads its version.json (Merino serves it as `__version__`). */
    readonly versionFilePath?: string;
    /**
     * The stack every pin here was promoted from (the preset's `promoteFrom`, enforced by the
     * provenance rule). version.json names it for the blue-green standby colour too, whose own
     * provenance config does not keep: so each colour's file depends on its pin alone and a
     * switch back leaves both colours' pods alone.
     */
    readonly promoteFrom?: string;
    /**
     * Names of `env` entries whose values are `secure:` in the stack file. Pulumi hands the
     * program its config decrypted; these go into a Kubernetes Secret (a secret in Pulumi's
     * state, `[secret]` in previews) that the containers read with `secretKeyRef`, so the pod
     * spec — and the image diff a reviewer reads — stays in plain view.
     */
    readonly secretEnv?: readonly string[];
    /**
     * The preset's rollout timeout: how long `pulumi up` waits for each Deployment to become
     * available and the migrations Job to complete before it fails the update, instead of the
     * provider's 10 minutes. Unset: the provider's default.
     */
    readonly rolloutTimeoutSeconds?: number;
}

/**
 * The stack file is the truth for what runs: a field someone changed by hand in the cluster
 * (`kubectl set image`, `kubectl scale`, an edited flag) is owned by that field manager under
 * server-side apply, and the next `pulumi up` would stop at the conflict. This annotation makes
 * the provider take those fields back (`pulumi preview --refresh` shows the drift first, and
 * `pinstack status --live` names it).
 */
export const takeBackHandEdits = { "pulumi.com/patchForce": "true" } as const;

/** Mount point of the app ConfigMap: its flags are files here, refreshed while pods run. */
export const appConfigMountPath = "/etc/pinstack/config";
export const defaultVersionFilePath = "/app/version.json";

/**
 * One service of a stack as Kubernetes objects: Deployment(s), a Service, a version.json
 * ConfigMap per Deployment, the app ConfigMap when the strategy keeps flags, and a
 * migrations Job when the pin has migrations. Objects are named explicitly (no
 * auto-naming) so rendered manifests are stable:
 *
 * | object                 | name                                   |
 * |------------------------|----------------------------------------|
 * | Deployment             | `<svc>` (blue-green: `<svc>-blue`, `<svc>-green`) |
 * | Service                | `<svc>`                                |
 * | version.json ConfigMap | `<deployment>-version-<hash of its content>` (immutable) |
 * | app ConfigMap          | `<svc>-config` (read-only strategy: `READ_ONLY`) |
 * | migrations Job         | `<svc>-migrate-<hash of pin and command>` |
 * | env Secret             | `<svc>-env`, when env values are `secure:` in the stack file |
 *
 * Labels (all objects): `app.kubernetes.io/name` = service, `app.kubernetes.io/part-of` =
 * project, `app.kubernetes.io/managed-by` = `pinstack`; Deployments, their pods and version
 * ConfigMaps also carry `app.kubernetes.io/version` (label-safe: `+` becomes `_`). Selectors
 * use `app.kubernetes.io/name` (+ `pinstack.dev/color` for blue-green) only, since a
 * Deployment's selector can never change.
 *
 * Annotations on each Deployment and the migrations Job — the policy pack's contract, keys
 * in labels.ts `AnnotationKeys`:
 * - `pinstack.dev/pin`: the pinned reference as configured (`repo:tag@digest`),
 * - `pinstack.dev/scheme`: the service's tag scheme,
 * - `pinstack.dev/containers`: the pin's init containers and sidecars as configured (JSON),
 *   when it has any — its seal covers them too,
 * - `pinstack.dev/stack`, `pinstack.dev/environment`, `pinstack.dev/strategy`,
 * - provenance of the configured pin, when it has one: `pinstack.dev/promoted-from`,
 *   `promoted-by`, `promoted-at`, `reason`, `seal`, and `rollback` / `allow-undeployed`
 *   = "true" when set. The standby colour of a blue-green pair runs `previous` and carries
 *   no provenance; it is the Deployment whose `pinstack.dev/color` is not the Service's
 *   selector. Nothing on a Deployment says which colour is active, so a switch touches the
 *   Service alone.
 */
export class ServiceRelease extends pulumi.ComponentResource {
    /** The Service the app is reached through. */
    public readonly service: k8s.core.v1.Service;
    /** One Deployment, or two for blue-green, in plan order (blue, green). */
    public readonly deployments: k8s.apps.v1.Deployment[];
    /** version.json ConfigMaps, one per Deployment, in the same order. */
    public readonly versionConfigMaps: k8s.core.v1.ConfigMap[];
    /** The app ConfigMap holding the strategy's flags, when the strategy keeps any. */
    public readonly appConfig?: k8s.core.v1.ConfigMap;
    /** The migrations Job, when the pin has migrations. */
    public readonly migrationsJob?: k8s.batch.v1.Job;
    /** The Secret holding the env values that are `secure:` in the stack file, when there are any. */
    public readonly envSecret?: k8s.core.v1.Secret;
    /** Reference the Service sends traffic to, with its digest when pinned or resolved. */
    public readonly image: pulumi.Output<string>;
    /** What the strategy decided, for outputs and tests. */
    public readonly plan: CutoverPlan;

    constructor(name: string, args: ServiceReleaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pinstack:index:ServiceRelease", name, {}, opts);
        const pin = args.pin;
        const plan = strategyFor(pin.strategy).plan(pin);
        const labels = serviceLabels(pin.name, args.partOf);
        const customTimeouts = args.rolloutTimeoutSeconds
            ? { create: `${args.rolloutTimeoutSeconds}s`, update: `${args.rolloutTimeoutSeconds}s` }
            : undefined;
        const commonAnnotations = {
            [AnnotationKeys.stack]: args.stack,
            [AnnotationKeys.environment]: args.environment,
            [AnnotationKeys.strategy]: pin.strategy,
        };
        // One registry lookup per reference, however many containers run it.
        const resolved = new Map<string, pulumi.Input<string>>();
        const resolve = (image: ImagePin): pulumi.Input<string> => {
            const key = pinReference(image);
            let reference = resolved.get(key);
            if (!reference) {
                reference = resolveImageReference(image, {
                    resolveDigests: args.resolveDigests ?? false,
                    parent: this,
                    provider: args.dockerProvider,
                });
                resolved.set(key, reference);
            }
            return reference;
        };
        const configuredImage = resolve(pin);
        const secretEnv = (args.secretEnv ?? []).filter((key) => pin.env?.[key] !== undefined);
        const env = containerEnv(pin, plan, secretEnv);
        if (secretEnv.length > 0) {
            this.envSecret = new k8s.core.v1.Secret(`${name}-env`, {
                metadata: { name: envSecretName(pin.name), namespace: args.namespace, labels },
                type: "Opaque",
                stringData: pulumi.secret(Object.fromEntries(secretEnv.map((key) => [key, pin.env![key]]))),
            }, { parent: this });
        }

        if (plan.appConfig) {
            this.appConfig = new k8s.core.v1.ConfigMap(`${name}-config`, {
                metadata: { name: `${pin.name}-config`, namespace: args.namespace, labels, annotations: { ...takeBackHandEdits } },
                data: { ...plan.appConfig },
            }, { parent: this });
        }

        if (pin.migrations) {
            this.migrationsJob = new k8s.batch.v1.Job(`${name}-migrate`, {
                metadata: {
                    name: migrationsJobName(pin),
                    namespace: args.namespace,
                    labels: { ...labels, [LabelKeys.version]: labelValue(pinVersion(pin)) },
                    annotations: {
                        ...commonAnnotations,
                        ...pinAnnotations({ reference: pinReference(pin), scheme: pin.scheme, provenance: pin.provenance, initContainers: pin.initContainers, sidecars: pin.sidecars }),
                    },
                },
                spec: migrationsJobSpec({ pin, image: configuredImage, labels, env }),
            }, {
                parent: this,
                // The read-only flag is set before the migration starts.
                dependsOn: this.appConfig ? [this.appConfig] : [],
                customTimeouts,
            });
        }

        this.versionConfigMaps = [];
        this.deployments = plan.workloads.map((workload) => {
            const deploymentName = `${pin.name}${workload.suffix}`;
            const workloadImage = { image: pin.image, tag: workload.pin.tag, digest: workload.pin.digest };
            const image = resolve(workloadImage);
            const versionLabels = {
                ...labels,
                ...workload.labels,
                [LabelKeys.version]: labelValue(workload.pin.version),
            };
            const versionName = (text: string) => kubernetesName(deploymentName, `version-${shortHash(text)}`);
            const content = versionJson({
                service: pin.name,
                version: workload.pin.version,
                commit: workload.pin.commit ?? "",
                image,
                promotedFrom: workload.runsConfiguredPin ? pin.provenance?.from ?? "" : args.promoteFrom ?? "",
            });
            const versionConfigMap = new k8s.core.v1.ConfigMap(`${name}${workload.suffix}-version`, {
                metadata: {
                    // Named after its content and immutable: pods that still run the old
                    // pin keep serving the old file until they are replaced.
                    name: typeof content === "string" ? versionName(content) : pulumi.output(content).apply(versionName),
                    namespace: args.namespace,
                    labels: versionLabels,
                },
                immutable: true,
                data: { "version.json": content },
            }, { parent: this });
            this.versionConfigMaps.push(versionConfigMap);

            return new k8s.apps.v1.Deployment(`${name}${workload.suffix}`, {
                metadata: {
                    name: deploymentName,
                    namespace: args.namespace,
                    labels: versionLabels,
                    annotations: {
                        ...takeBackHandEdits,
                        ...commonAnnotations,
                        ...pinAnnotations({
                            reference: pinReference(workloadImage),
                            scheme: pin.scheme,
                            provenance: workload.runsConfiguredPin ? pin.provenance : undefined,
                            initContainers: pin.initContainers,
                            sidecars: pin.sidecars,
                        }),
                    },
                },
                spec: {
                    replicas: pin.replicas ?? args.replicas,
                    selector: { matchLabels: { [LabelKeys.name]: pin.name, ...workload.labels } },
                    strategy: deploymentStrategy(plan),
                    template: {
                        metadata: {
                            labels: versionLabels,
                            annotations: plan.appConfig ? { [AnnotationKeys.configHash]: shortHash(plan.appConfig) } : undefined,
                        },
                        spec: podSpec({
                            pin,
                            image,
                            env,
                            resolve,
                            versionConfigMap: versionConfigMap.metadata.name,
                            appConfigMap: this.appConfig ? `${pin.name}-config` : undefined,
                            versionFilePath: args.versionFilePath ?? defaultVersionFilePath,
                        }),
                    },
                },
            }, {
                parent: this,
                dependsOn: workload.runsConfiguredPin && this.migrationsJob ? [this.migrationsJob] : [],
                customTimeouts,
            });
        });

        this.service = new k8s.core.v1.Service(name, {
            metadata: { name: pin.name, namespace: args.namespace, labels, annotations: { ...takeBackHandEdits } },
            spec: {
                type: "ClusterIP",
                selector: { [LabelKeys.name]: pin.name, ...plan.serviceSelector },
                ports: [{ name: "http", port: pin.port, targetPort: "http", protocol: "TCP" }],
            },
        }, {
            parent: this,
            // Traffic moves only once the Deployments it may select have rolled out.
            dependsOn: this.deployments,
        });

        // Every strategy sends traffic to the configured pin (blue-green: the active colour).
        this.image = pulumi.output(configuredImage);
        this.plan = plan;
        // The children are under this component in the state already; references to them here
        // would cost two more awaits and a reference for the engine per object, per preview.
        this.registerOutputs({ image: this.image });
    }
}

function deploymentStrategy(plan: CutoverPlan): k8s.types.input.apps.v1.DeploymentStrategy {
    const rollout = plan.rollout;
    return rollout.type === "Recreate"
        ? { type: "Recreate" }
        : { type: "RollingUpdate", rollingUpdate: { maxSurge: rollout.maxSurge, maxUnavailable: rollout.maxUnavailable } };
}

/** Name of the Secret holding a service's secret env values. */
export const envSecretName = (service: string) => `${service}-env`;

/**
 * The pin's env (sorted, so the manifest is stable), the secret ones by reference to the env
 * Secret, never by value, and the strategy's flags from the app ConfigMap.
 */
export function containerEnv(pin: ServicePin, plan: CutoverPlan, secretEnv: readonly string[]): k8s.types.input.core.v1.EnvVar[] {
    const fromPin = Object.keys(pin.env ?? {})
        .sort()
        .map((key) =>
            secretEnv.includes(key)
                ? { name: key, valueFrom: { secretKeyRef: { name: envSecretName(pin.name), key } } }
                : { name: key, value: (pin.env ?? {})[key] },
        );
    const fromFlags = Object.keys(plan.appConfig ?? {})
        .sort()
        .map((key) => ({ name: key, valueFrom: { configMapKeyRef: { name: `${pin.name}-config`, key } } }));
    return [...fromPin, ...fromFlags];
}

function podSpec(args: {
    readonly pin: ServicePin;
    readonly image: pulumi.Input<string>;
    readonly env: k8s.types.input.core.v1.EnvVar[];
    readonly resolve: (image: ImagePin) => pulumi.Input<string>;
    readonly versionConfigMap: pulumi.Input<string>;
    readonly appConfigMap?: string;
    readonly versionFilePath: string;
}): k8s.types.input.core.v1.PodSpec {
    const { pin } = args;
    const mounts: k8s.types.input.core.v1.VolumeMount[] = [
        { name: "version", mountPath: args.versionFilePath, subPath: "version.json", readOnly: true },
    ];
    const volumes: k8s.types.input.core.v1.Volume[] = [{ name: "version", configMap: { name: args.versionConfigMap } }];
    if (args.appConfigMap) {
        mounts.push({ name: "pinstack-config", mountPath: appConfigMountPath, readOnly: true });
        volumes.push({ name: "pinstack-config", configMap: { name: args.appConfigMap } });
    }
    const extra = (c: ExtraContainer): k8s.types.input.core.v1.Container => ({
        name: c.name,
        image: args.resolve({ image: c.image, tag: c.tag, digest: c.digest }),
    });
    return {
        initContainers: pin.initContainers?.length ? pin.initContainers.map(extra) : undefined,
        containers: [
            {
                name: pin.name,
                image: args.image,
                ports: [{ name: "http", containerPort: pin.port, protocol: "TCP" }],
                env: args.env.length ? args.env : undefined,
                readinessProbe: pin.readiness ? httpProbe(pin.readiness) : undefined,
                livenessProbe: pin.liveness ? httpProbe(pin.liveness) : undefined,
                volumeMounts: mounts,
            },
            ...(pin.sidecars ?? []).map(extra),
        ],
        volumes,
    };
}

function httpProbe(probe: Probe): k8s.types.input.core.v1.Probe {
    return {
        httpGet: { path: probe.path, port: probe.port ?? "http" },
        initialDelaySeconds: probe.initialDelaySeconds,
        periodSeconds: probe.periodSeconds,
    };
}
