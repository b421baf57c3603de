import { Domain, getRepositoryEndpointOutput, Repository } from "@pulumi/aws/codeartifact";
import * as pulumi from "@pulumi/pulumi";
import type { PackageChannel, PackagePin } from "../lib/model";
import { requirementLine } from "../lib/contract";

/** Arguments of a {@link PackageIndex}. */
export interface PackageIndexArgs {
    /** CodeArtifact domain name (lowercase, 2–50 characters). */
    readonly domainName: pulumi.Input<string>;
    /** The stack's package pins; each is read from its channel's repository. */
    readonly packages: readonly PackagePin[];
    /**
     * Add a `pypi-store` repository connected to public PyPI as the last upstream of
     * `release`, so third-party dependencies resolve. Default true.
     */
    readonly publicUpstream?: boolean;
    readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** A pinned package and where it is installed from. */
export interface PackageSource {
    readonly name: string;
    readonly version: string;
    readonly channel: PackageChannel;
    /** pip requirement: `name==version` (see requirementLine). */
    readonly requirement: string;
    /** pip `--index-url` of the channel's repository. */
    readonly indexUrl: string;
}

/**
 * CodeArtifact domain of a stack: `<project>-<stack>`, lowercased, other characters as `-`,
 * at most 50 characters (the service's limit). One per stack, because two stacks in one
 * account must not both create the same domain.
 */
export function packageDomainName(project: string, stack: string): string {
    const name = `${project}-${stack}`.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^[^a-z]+/, "").slice(0, 50);
    return name.replace(/-+$/, "");
}

/** Channels from least to most trusted. */
export const channels: readonly PackageChannel[] = ["dev", "staging", "release"];

/**
 * Upstreams of each channel: a channel may fall back to the channels more trusted than it,
 * never to a less trusted one. `dev` (every commit's build, UKRDC's dev index) sees staging
 * and release too; `staging` (release candidates) sees release; `release` (what production
 * installs) sees only itself — and public PyPI for third-party packages when enabled. So a
 * production install can never resolve a dev or candidate build, while a dev install finds
 * everything. CodeArtifact searches upstreams transitively, so one hop each is enough.
 */
export function channelUpstreams(publicUpstream: boolean): Record<PackageChannel | "pypi-store", string[]> {
    return {
        "dev": ["staging"],
        "staging": ["release"],
        "release": publicUpstream ? ["pypi-store"] : [],
        "pypi-store": [],
    };
}

/**
 * UKRDC's wheel indices as AWS CodeArtifact: one domain, one repository per channel (dev,
 * staging, release) chained by {@link channelUpstreams}, and the stack's package pins
 * resolved to `name==version` plus their channel's index URL.
 *
 * Packages published straight into a repository get CodeArtifact's default origin control
 * (upstream blocked for that package name), so a public package with an internal name cannot
 * shadow it through `pypi-store`.
 */
export class PackageIndex extends pulumi.ComponentResource {
    public readonly domain: Domain;
    public readonly repositories: Readonly<Record<PackageChannel, Repository>>;
    /** pip index URL (`.../pypi/<channel>/simple/`) per channel. */
    public readonly indexUrls: Readonly<Record<PackageChannel, pulumi.Output<string>>>;
    /** The stack's pins, each with its channel's index URL, in config order. */
    public readonly packages: pulumi.Output<PackageSource[]>;

    constructor(name: string, args: PackageIndexArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pinstack:index:PackageIndex", name, {}, opts);
        const publicUpstream = args.publicUpstream ?? true;
        const upstreams = channelUpstreams(publicUpstream);
        this.domain = new Domain(`${name}-domain`, { domain: args.domainName, tags: args.tags }, { parent: this });

        const created = new Map<string, Repository>();
        const repository = (repo: PackageChannel | "pypi-store", description: string): Repository => {
            const resource = new Repository(`${name}-${repo}`, {
                domain: this.domain.domain,
                repository: repo,
                description,
                // Upstreams must exist first; names come from the created resources so Pulumi orders them.
                upstreams: upstreams[repo].map((upstream) => ({ repositoryName: created.get(upstream)!.repository })),
                externalConnections: repo === "pypi-store" ? { externalConnectionName: "public:pypi" } : undefined,
                tags: args.tags,
            }, { parent: this });
            created.set(repo, resource);
            return resource;
        };
        // Most trusted first: each repository's upstreams already exist when it is declared.
        if (publicUpstream) repository("pypi-store", "Public PyPI, for third-party dependencies");
        const release = repository("release", "Final releases: what production installs");
        const staging = repository("staging", "Release candidates; falls back to release");
        const dev = repository("dev", "Every build of the main branch; falls back to staging and release");
        this.repositories = { dev, staging, release };

        const indexUrl = (repo: Repository): pulumi.Output<string> =>
            getRepositoryEndpointOutput({
                domain: this.domain.domain,
                domainOwner: this.domain.owner,
                repository: repo.repository,
                format: "pypi",
            }, { parent: this }).repositoryEndpoint.apply((endpoint) => `${endpoint.replace(/\/?$/, "/")}simple/`);
        this.indexUrls = { dev: indexUrl(dev), staging: indexUrl(staging), release: indexUrl(release) };

        this.packages = pulumi.all(args.packages.map((pin) =>
            this.indexUrls[pin.channel].apply((url): PackageSource => ({
                name: pin.name,
                version: pin.version,
                channel: pin.channel,
                requirement: requirementLine(pin.name, pin.version),
                indexUrl: url,
            }))));
        this.registerOutputs({ indexUrls: this.indexUrls, packages: this.packages });
    }
}
