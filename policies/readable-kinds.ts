import type { ResourceValidationPolicy } from "@pulumi/policy";
import { field } from "./support/known";
import { withContext } from "./support/policy";
import { configSchema } from "./support/settings";
import { isReadableKind, kubernetesKind } from "./support/workloads";

export interface ReadableKindsConfig {
    /** Type tokens (`kubernetes:argoproj.io/v1alpha1:Workflow`) whose resources were reviewed and may run although the pack cannot read them. */
    readonly allowedKinds?: readonly string[];
}

/**
 * Fails closed on what the image policies cannot vouch for. They check every field named
 * `image` and every pod spec, at any depth, in every resource (support/workloads.ts); a custom
 * resource's controller, though, may start pods from fields of any other name (an operator's
 * `spec.version`, a chart's `{ repository, tag }`), and a Helm Release installs objects the
 * pack never sees. Such a kind (support/workloads.ts isReadableKind: any Kubernetes kind
 * outside Kubernetes' own API groups, but the provider's grouping components) is refused
 * unless the config lists its type token. Listing one lifts only this refusal: its `image`
 * fields still meet every image rule. The policy reads the resource's type and name only, so
 * it costs the SDK's deserialization and nothing more.
 */
export const readableKinds: ResourceValidationPolicy = {
    name: "readable-kinds",
    description:
        "Every Kubernetes resource is of a kind whose images the policy pack can read (Kubernetes' own kinds), so no custom resource or Helm Release runs images no rule has checked. " +
        "Run the workload as a Deployment, Job or CronJob, or, once its images are reviewed, list its type token in readable-kinds.allowedKinds of the stack's policy config.",
    enforcementLevel: "mandatory",
    configSchema: configSchema({
        allowedKinds: {
            type: "array",
            items: { type: "string", pattern: "^kubernetes:[^:]+:[A-Za-z0-9]+$" },
            description: "Type tokens of reviewed kinds the pack cannot read, allowed to run anyway, e.g. kubernetes:argoproj.io/v1alpha1:Workflow. Their image fields are still checked.",
        },
    }),
    validateResource: (args, report) => {
        if (isReadableKind(args.type)) return;
        withContext<ReadableKindsConfig>(args, report, (_context, config) => {
            if (config.allowedKinds?.includes(args.type)) return;
            const metadata = field(args.props, "metadata");
            const name = field(metadata, "name");
            const namespace = field(metadata, "namespace");
            const shown = typeof name === "string" ? (typeof namespace === "string" ? `${namespace}/${name}` : name) : args.name;
            const kind = kubernetesKind(args.type)?.kind ?? args.type;
            report(
                `${kind} ${shown} (${args.type}) is a kind the policy pack cannot read: its controller may run images from fields the image rules do not know, so nothing here vouches for what it runs. ` +
                    `Run it as a Deployment, Job or CronJob, or, once its images are reviewed, add "${args.type}" to readable-kinds.allowedKinds in the stack's policy config`,
            );
        });
    },
};
