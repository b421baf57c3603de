/**
 * The benchmark's baseline program: the same Kubernetes objects as pinstack's program
 * (index.ts) declares for in-place services — provider, namespace, and per service an
 * immutable version.json ConfigMap, a Deployment and a Service, with the same names,
 * labels, annotations and specs — written directly, with no config validation, no rules
 * and no component resources. bench/components-preview.bench.ts checks that both
 * programs preview the same objects before it times them.
 *
 * With PINSTACK_BENCH_COMPONENTS=1 each service's objects are the children of an empty
 * ComponentResource instead: what one component per service costs Pulumi by itself, with
 * none of pinstack's code — the benchmark's third variant, which splits the difference.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";

interface Pin {
    image: string;
    tag: string;
    digest: string;
    scheme: string;
    port: number;
    readiness?: { path: string };
}

const hash8 = (text: string) => createHash("sha256").update(JSON.stringify(text)).digest("hex").slice(0, 8);

export = async () => {
    const config = new pulumi.Config("pinstack");
    const stack = pulumi.getStack();
    const project = pulumi.getProject();
    const environment = config.require("environment");
    const services = config.requireObject<Record<string, Pin>>("services");
    const replicas = 1;
    const wrap = process.env.PINSTACK_BENCH_COMPONENTS === "1";

    const provider = new k8s.Provider("kubernetes", { renderYamlToDirectory: config.require("renderDir") });
    const namespace = new k8s.core.v1.Namespace("namespace", { metadata: { name: config.require("namespace") } }, { provider });
    const images: Record<string, string> = {};
    for (const [name, pin] of Object.entries(services)) {
        const image = `${pin.image}:${pin.tag}@${pin.digest}`;
        const parent = wrap ? new pulumi.ComponentResource("pinstack:index:ServiceRelease", name, {}, { providers: [provider] }) : undefined;
        const opts: pulumi.CustomResourceOptions = parent ? { parent } : { provider };
        const labels = { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": project, "app.kubernetes.io/managed-by": "pinstack" };
        const versionLabels = { ...labels, "app.kubernetes.io/version": pin.tag };
        const versionJson = `${JSON.stringify({ service: name, version: pin.tag, commit: "", image, promotedFrom: "" }, null, 2)}\n`;
        const versionMap = new k8s.core.v1.ConfigMap(`${name}-version`, {
            metadata: { name: `${name}-version-${hash8(versionJson)}`, namespace: namespace.metadata.name, labels: versionLabels },
            immutable: true,
            data: { "version.json": versionJson },
        }, opts);
        new k8s.apps.v1.Deployment(name, {
            metadata: {
                name,
                namespace: namespace.metadata.name,
                labels: versionLabels,
                annotations: {
                    "pulumi.com/patchForce": "true",
                    "pinstack.dev/stack": stack,
                    "pinstack.dev/environment": environment,
                    "pinstack.dev/strategy": "in-place",
                    "pinstack.dev/pin": image,
                    "pinstack.dev/scheme": pin.scheme,
                },
            },
            spec: {
                replicas,
                selector: { matchLabels: { "app.kubernetes.io/name": name } },
                strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } },
                template: {
                    metadata: { labels: versionLabels },
                    spec: {
                        containers: [{
                            name,
                            image,
                            ports: [{ name: "http", containerPort: pin.port, protocol: "TCP" }],
                            readinessProbe: pin.readiness ? { httpGet: { path: pin.readiness.path, port: "http" } } : undefined,
                            volumeMounts: [{ name: "version", mountPath: "/app/version.json", subPath: "version.json", readOnly: true }],
                        }],
                        volumes: [{ name: "version", configMap: { name: versionMap.metadata.name } }],
                    },
                },
            },
        }, opts);
        new k8s.core.v1.Service(name, {
            metadata: { name, namespace: namespace.metadata.name, labels, annotations: { "pulumi.com/patchForce": "true" } },
            spec: {
                type: "ClusterIP",
                selector: { "app.kubernetes.io/name": name },
                ports: [{ name: "http", port: pin.port, targetPort: "http", protocol: "TCP" }],
            },
        }, opts);
        images[name] = image;
    }
    return { images };
};
