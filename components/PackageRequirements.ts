import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PackageChannel, PackagePin } from "../lib/model";
import { requirementsFiles, serviceLabels } from "../lib/contract";

/** Arguments of a {@link PackageRequirements}. */
export interface PackageRequirementsArgs {
    readonly namespace: pulumi.Input<string>;
    readonly packages: readonly PackagePin[];
    /** pip index URL per channel (from a PackageIndex); left out when cloud resources are off. */
    readonly indexUrls?: Readonly<Partial<Record<PackageChannel, pulumi.Input<string>>>>;
    /** `app.kubernetes.io/part-of`: the Pulumi project. */
    readonly partOf: string;
    /** ConfigMap name; default `pinstack-packages`. */
    readonly configMapName?: string;
}

/**
 * The stack's package pins as a ConfigMap (UKRDC's requirements.txt, per channel), so an
 * image build or an init container installs exactly what the stack pins.
 */
export class PackageRequirements extends pulumi.ComponentResource {
    public readonly configMap: k8s.core.v1.ConfigMap;

    constructor(name: string, args: PackageRequirementsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pinstack:index:PackageRequirements", name, {}, opts);
        const configMapName = args.configMapName ?? "pinstack-packages";
        this.configMap = new k8s.core.v1.ConfigMap(`${name}-requirements`, {
            metadata: {
                name: configMapName,
                namespace: args.namespace,
                labels: serviceLabels(configMapName, args.partOf),
            },
            data: pulumi.output(args.indexUrls ?? {}).apply((urls) => requirementsFiles(args.packages, urls)),
        }, { parent: this });
        this.registerOutputs({ configMap: this.configMap });
    }
}
