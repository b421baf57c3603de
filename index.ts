/**
 * pinstack: each environment is a stack of this program, and a stack's pins are its config.
 *
 *   1. read the stack's `pinstack:*` config and validate it with lib/ (file, line and key on error);
 *   2. run the rules exactly as `pinstack check` does: a mandatory violation stops here,
 *      before any resource exists;
 *   3. the preset (stacks/) decides replicas, cloud resources, digest lookups, retention; the
 *      stack's own file may only tighten it (its floor: the stack's name or pack config);
 *   4. Kubernetes: a provider — rendering manifests to `pinstack:renderDir`, or deploying to
 *      the cluster of `pinstack:kubeconfig` (else the ambient kubeconfig) and waiting, at most
 *      the preset's rollout timeout, for every rollout —, the namespace, one ServiceRelease
 *      per service, the package pins as a ConfigMap;
 *   5. AWS, only when cloud is on: an ECR repository per image (its pinned tags never expire),
 *      one CodeArtifact package index;
 *   6. outputs for the audit trail: the pins as deployed and the hold flag.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ImageRepository, pinnedTagsByRepository, repositoryNameFor } from "./components/ImageRepository";
import { PackageIndex, packageDomainName } from "./components/PackageIndex";
import { PackageRequirements } from "./components/PackageRequirements";
import { ServiceRelease } from "./components/ServiceRelease";
import { enforceRules, parseOrStop, presetOrStop, rawPinstackConfig, secretEnvOf } from "./program/input";
import { deployedPins } from "./program/outputs";
import { freezeOutput } from "./lib/freeze";
import { kubernetesProviderArgs } from "./program/provider";
import { usePresets } from "./lib/presets";
import { presets } from "./stacks";

export = async () => {
    usePresets(presets);
    // 1-3. Config, rules and preset: nothing is created unless config and rules pass.
    const stack = parseOrStop(pulumi.getStack(), rawPinstackConfig());
    const preset = presetOrStop(stack);
    enforceRules(stack, preset);
    const project = pulumi.getProject();

    // 4. Kubernetes objects.
    const provider = new k8s.Provider("kubernetes", kubernetesProviderArgs(stack));
    const namespace = new k8s.core.v1.Namespace("namespace", { metadata: { name: stack.namespace } }, { provider });
    const releases = new Map(stack.services.map((pin) => [pin.name, new ServiceRelease(pin.name, {
        pin,
        namespace: namespace.metadata.name,
        replicas: preset.replicas,
        partOf: project,
        stack: stack.stack,
        environment: stack.environment,
        resolveDigests: preset.resolveDigests,
        promoteFrom: preset.promoteFrom,
        secretEnv: secretEnvOf(stack, pin),
        rolloutTimeoutSeconds: preset.rolloutTimeoutSeconds,
    }, { providers: [provider] })]));

    // 5. Cloud resources: ECR repositories (one per distinct image) and the package index.
    const imageNames = preset.cloud ? [...new Set(stack.services.map((pin) => repositoryNameFor(pin.image)))] : [];
    const pinnedTags = preset.cloud ? pinnedTagsByRepository(stack.services) : new Map<string, string[]>();
    const repositories = new Map(imageNames.map((name) => [name, new ImageRepository(name.replace(/\//g, "-"), {
        repositoryName: name,
        immutableTags: preset.immutableRepositories,
        keepTaggedImages: preset.imageRetention.keepTagged,
        expireUntaggedAfterDays: preset.imageRetention.expireUntaggedDays,
        pinnedTags: pinnedTags.get(name),
    })]));
    const packageIndex = preset.cloud && stack.packages.length > 0
        ? new PackageIndex("packages", { domainName: packageDomainName(project, stack.stack), packages: stack.packages })
        : undefined;
    if (stack.packages.length > 0) {
        new PackageRequirements("packages", {
            namespace: namespace.metadata.name,
            packages: stack.packages,
            indexUrls: packageIndex?.indexUrls,
            partOf: project,
        }, { providers: [provider] });
    }

    // 6. Outputs.
    return {
        environment: stack.environment,
        namespace: stack.namespace,
        hold: stack.hold,
        holdReason: stack.holdReason ?? "",
        freeze: freezeOutput(stack.freeze),
        pins: deployedPins(stack, releases, { resolveDigests: preset.resolveDigests }),
        manifests: stack.renderDir ?? "",
        repositories: Object.fromEntries([...repositories].map(([name, repository]) => [name, repository.repositoryUrl])),
        packageIndexUrls: packageIndex?.indexUrls ?? {},
    };
};
