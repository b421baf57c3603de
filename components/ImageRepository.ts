import { LifecyclePolicy, Repository } from "@pulumi/aws/ecr";
import * as pulumi from "@pulumi/pulumi";
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

export const defaultKeepTaggedImages = 100;
export const defaultExpireUntaggedAfterDays = 14;

/**
 * ECR lifecycle policy: untagged images go first (rule 1), then tagged images beyond the
 * newest `keepTagged`. Keep the count well above the number of releases a stack may roll
 * back to: ECR cannot exempt the pinned tags, only count them.
 */
export function lifecyclePolicyDocument(keepTagged: number, expireUntaggedAfterDays: number): string {
    if (!Number.isInteger(keepTagged) || keepTagged < 1) {
        throw new Error(`keepTaggedImages must be a positive integer, got ${keepTagged}`);
    }
    if (!Number.isInteger(expireUntaggedAfterDays) || expireUntaggedAfterDays < 1) {
        throw new Error(`expireUntaggedAfterDays must be a positive integer, got ${expireUntaggedAfterDays}`);
    }
    return JSON.stringify({
        rules: [
            {
                rulePriority: 1,
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
                rulePriority: 2,
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
 * makes a promoted tag safe to deploy), scan on push, and a lifecycle policy.
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
            ),
        }, { parent: this });
        this.repositoryUrl = this.repository.repositoryUrl;
        this.registerOutputs({ repositoryUrl: this.repositoryUrl });
    }
}
