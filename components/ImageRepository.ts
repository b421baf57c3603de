import { LifecyclePolicy, Repository } from "@pulumi/aws/ecr";
import * as pulumi from "@pulumi/pulumi";
import type { ServicePin } from "../lib/model";
import { parseRepositoryName, qualifiedName, registryOf } from "../lib/reference";

/** Arguments of an {@link ImageRepository}. */
export interface ImageRepositoryArgs {
    /** ECR repository name: the image's path without its registry, e.g. `pinstack-example/backend`. */
    readonly repositoryName: pulumi.Input<string>;
    /** Tags can never be pushed twice (`IMMUTABLE`): the preset's `immutableRepositories`. */
    readonly immutableTags: boolean;
    /** Tagged images kept, newest first; older ones expire. Default 100. */
    readonly keepTaggedImages?: number;
    /** Untagged images (superseded pushes, build layers) expire after this many days. Default 14. */
    readonly expireUntaggedAfterDays?: number;
    /**
     * Tags the stack runs or rolls back to (see {@link pinnedTagsByRepository}): never expired,
     * however many newer images are pushed.
     */
    readonly pinnedTags?: readonly string[];
    readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * The ECR repository for an image: its path as the registry serves it, without the registry
 * (`ghcr.io/pinstack-example/backend` -> `pinstack-example/backend`, `nginx` -> `library/nginx`),
 * so images keep their names when mirrored into ECR.
 */
export function repositoryNameFor(image: string): string {
    const parsed = parseRepositoryName(image);
    // Config is validated before components run; this guards programming errors.
    if (!parsed.ok) throw new Error(`invalid image name ${image}: ${parsed.error}`);
    return qualifiedName(parsed.value).slice(registryOf(parsed.value).length + 1);
}

/**
 * Per ECR repository, the tags a stack's pins name: each service's tag, the `previous` tag a
 * blue-green standby runs and a rollback returns to, and its sidecars' and init containers'
 * tags. Digest-only pins have no tag to name and are not in here (ECR selects by tag only).
 */
export function pinnedTagsByRepository(services: readonly ServicePin[]): Map<string, string[]> {
    const tags = new Map<string, Set<string>>();
    const add = (image: string, tag: string | undefined) => {
        if (tag === undefined) return;
        const name = repositoryNameFor(image);
        if (!tags.has(name)) tags.set(name, new Set());
        tags.get(name)!.add(tag);
    };
    for (const pin of services) {
        add(pin.image, pin.tag);
        add(pin.image, pin.previous?.tag);
        for (const extra of [...(pin.initContainers ?? []), ...(pin.sidecars ?? [])]) add(extra.image, extra.tag);
    }
    return new Map([...tags].map(([name, set]) => [name, [...set].sort()]));
}

export const defaultKeepTaggedImages = 100;
export const defaultExpireUntaggedAfterDays = 14;

/**
 * ECR lifecycle policy. First one rule per pinned tag that selects that tag alone and keeps
 * one image: in ECR an image that a higher-priority rule selects cannot be expired by a
 * lower-priority one, so a pinned image outlives the count below however old it is. (One rule
 * per tag, not one rule listing them all: an image matches a `tagPatternList` only when it
 * carries every pattern in it.) Then untagged images after `expireUntaggedAfterDays`, then
 * tagged images beyond the newest `keepTagged`.
 */
export function lifecyclePolicyDocument(keepTagged: number, expireUntaggedAfterDays: number, pinnedTags: readonly string[] = []): string {
    if (!Number.isInteger(keepTagged) || keepTagged < 1) {
        throw new Error(`keepTaggedImages must be a positive integer, got ${keepTagged}`);
    }
    if (!Number.isInteger(expireUntaggedAfterDays) || expireUntaggedAfterDays < 1) {
        throw new Error(`expireUntaggedAfterDays must be a positive integer, got ${expireUntaggedAfterDays}`);
    }
    const badTag = pinnedTags.find((tag) => tag === "" || tag.includes("*"));
    if (badTag !== undefined) throw new Error(`pinned tag ${JSON.stringify(badTag)} cannot be kept by an ECR tag pattern`);
    const keep = [...new Set(pinnedTags)].sort().map((tag, i) => ({
        rulePriority: i + 1,
        description: `Keep ${tag}: pinned by the stack`,
        selection: { tagStatus: "tagged", tagPatternList: [tag], countType: "imageCountMoreThan", countNumber: 1 },
        action: { type: "expire" },
    }));
    return JSON.stringify({
        rules: [
            ...keep,
            {
                rulePriority: keep.length + 1,
                description: `Expire untagged images after ${expireUntaggedAfterDays} days`,
                selection: {
                    tagStatus: "untagged",
                    countType: "sinceImagePushed",
                    countUnit: "days",
                    countNumber: expireUntaggedAfterDays,
                },
                action: { type: "expire" },
            },
            {
                rulePriority: keep.length + 2,
                description: `Keep the newest ${keepTagged} tagged images`,
                selection: {
                    tagStatus: "tagged",
                    tagPatternList: ["*"],
                    countType: "imageCountMoreThan",
                    countNumber: keepTagged,
                },
                action: { type: "expire" },
            },
        ],
    });
}

/**
 * An ECR repository for one service's images: `IMMUTABLE` tags where the preset requires
 * them (staging, production — a tag, once pushed, always names the same image, which is what
 * makes a promoted tag safe to deploy), scan on push, and a lifecycle policy that never
 * expires the tags the stack runs or may roll back to.
 */
export class ImageRepository extends pulumi.ComponentResource {
    public readonly repository: Repository;
    public readonly lifecyclePolicy: LifecyclePolicy;
    /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>`. */
    public readonly repositoryUrl: pulumi.Output<string>;

    constructor(name: string, args: ImageRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pinstack:index:ImageRepository", name, {}, opts);
        this.repository = new Repository(`${name}-repository`, {
            name: args.repositoryName,
            imageTagMutability: args.immutableTags ? "IMMUTABLE" : "MUTABLE",
            imageScanningConfiguration: { scanOnPush: true },
            tags: args.tags,
        }, { parent: this });
        this.lifecyclePolicy = new LifecyclePolicy(`${name}-lifecycle`, {
            repository: this.repository.name,
            policy: lifecyclePolicyDocument(
                args.keepTaggedImages ?? defaultKeepTaggedImages,
                args.expireUntaggedAfterDays ?? defaultExpireUntaggedAfterDays,
                args.pinnedTags,
            ),
        }, { parent: this });
        this.repositoryUrl = this.repository.repositoryUrl;
        this.registerOutputs({ repositoryUrl: this.repositoryUrl });
    }
}
