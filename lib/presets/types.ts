import type { Level, RuleId, SchemeName } from "../model";

/**
 * A stack preset: GWCelery's `conf.playground` / `conf.production`. The presets themselves
 * are data in stacks/; lib knows their shape and how a stack's overrides apply to one.
 */
export interface StackPreset {
    readonly name: string;
    /** Replicas per service unless the service overrides it. */
    readonly replicas: number;
    /** AWS resources (ECR, CodeArtifact) are created only when true. */
    readonly cloud: boolean;
    /** Pins must carry an image digest. */
    readonly requireDigest: boolean;
    /** `latest`, branch names and missing tags are allowed (advisory only). */
    readonly allowMutableTags: boolean;
    /** Prerelease versions (release candidates) are allowed. */
    readonly allowPrereleases: boolean;
    /** Tag schemes a service may declare on this stack. */
    readonly allowedSchemes: readonly SchemeName[];
    /** Registries images may come from; empty means any. */
    readonly registries: readonly string[];
    /** Minimum minutes a pin must have run on the source stack before it is promoted here. */
    readonly soakMinutes: number;
    /** The stack pins must be promoted from (provenance rule); undefined: typed-in pins are fine. */
    readonly promoteFrom?: string;
    /** How CI deploys the stack. */
    readonly deploy: "auto" | "manual";
    /** ECR repositories use IMMUTABLE tags and scan on push. */
    readonly immutableRepositories: boolean;
    /**
     * Tag-only pins are resolved to their digest at deploy time (Docker registry lookup), so
     * the manifests and the stack outputs record exactly what runs. Needs a reachable
     * registry and the Docker provider; a stack without them sets it false in `pinstack:preset`.
     */
    readonly resolveDigests: boolean;
    /**
     * How long `pulumi up` waits for a Deployment to become available or a migrations Job to
     * complete before it fails the update (the provider's own default is 10 minutes). A
     * rollout that cannot finish in this time is a failed update, and the stack then counts
     * as not deployed until a later update succeeds.
     */
    readonly rolloutTimeoutSeconds: number;
    /** ECR lifecycle policy: tagged images kept (newest first) and days before untagged ones expire; the stack's pinned tags are kept besides. */
    readonly imageRetention: { readonly keepTagged: number; readonly expireUntaggedDays: number };
    /** Enforcement of each rule on this stack. */
    readonly levels: Readonly<Record<RuleId, Level>>;
    /**
     * Freeze windows every stack of this preset keeps (lib/freeze's form, e.g.
     * "Fri 16:00 - Mon 08:00 Europe/London"), besides its own `pinstack:freeze.windows`; a
     * stack cannot drop them.
     */
    readonly freezeWindows?: readonly string[];
}

/** Every rule at one level; presets then name their exceptions. */
export function allRulesAt(level: Level): Record<RuleId, Level> {
    return {
        "no-mutable-tags": level,
        "tag-scheme": level,
        "no-prereleases": level,
        "digest-required": level,
        "registry-allowed": level,
        "exact-package-pins": level,
        "provenance": level,
        "hold": level,
        "load-test-gate": level,
        "acceptance-checklist": level,
        "production-branch-tag": level,
        "immutable-repositories": level,
        "signed-images": level,
    };
}
