import type { AdHocFreeze, FreezeWindow } from "./freeze";
/**
 * The pinstack domain model: what a stack's `pinstack:*` config means once it
 * has been read and validated. Plain data, no Pulumi imports, so the CLI, the
 * program (index.ts) and the policy pack share one definition.
 */

/** Where a value came from in a config file, for messages that name file, line and key. */
export interface SourceLocation {
    readonly file: string;
    /** 1-based line, 0 when unknown. */
    readonly line: number;
    /** 1-based column, 0 when unknown. */
    readonly column: number;
    /** Dotted config key, e.g. `pinstack:services.backend.tag`. */
    readonly key: string;
}

/** The location of a pin read from somewhere other than a stack file (a cluster object, a recorded update). */
export const NOWHERE: SourceLocation = { file: "", line: 0, column: 0, key: "" };

/**
 * Tag schemes a service can declare; see lib/schemes. `semver-v` is strict semver that
 * also accepts a leading `v` (GWCelery's vMAJOR.MINOR.PATCH tags).
 */
export type SchemeName = "semver" | "semver-v" | "calver" | "commit" | "pep440" | "any";

/** Cutover strategies (METASPACE); see components/strategies. */
export type StrategyName = "in-place" | "blue-green" | "read-only";

export type Color = "blue" | "green";

/**
 * Written by `pinstack promote` next to each pin it moves. `seal` binds the
 * provenance to this service and this exact pin, so it cannot be copied to
 * another service or survive an edit of the tag/digest by hand.
 */
export interface Provenance {
    /** Stack the pin was promoted from. */
    readonly from: string;
    /** ISO-8601 UTC time of the promotion. */
    readonly at: string;
    /** Who promoted (git user.email or $USER). */
    readonly by: string;
    readonly reason: string;
    /** Set when the promotion was made with --allow-undeployed. */
    readonly allowUndeployed?: boolean;
    /** Set on pins written by `pinstack rollback`. */
    readonly rollback?: boolean;
    /**
     * Which trusted key's cosign signature `pinstack promote` verified for each image of the
     * pin (main first, then init containers and sidecars); absent where no signature was asked
     * for. Covered by the seal. See lib/signing.
     */
    readonly signatures?: readonly SignatureRecord[];
    /**
     * Set when `pinstack promote --break-glass` let this change through a freeze: which freeze
     * (window text or "ad-hoc freeze") and when it was to end. Covered by the seal.
     */
    readonly breakGlass?: BreakGlass;
    /** `sha256:<hex>` over the canonical provenance + pin; see lib/provenance. */
    readonly seal: string;
}

/** The freeze a break-glass promotion went through. */
export interface BreakGlass {
    readonly freeze: string;
    readonly until?: string;
}

/** `pinstack:freeze`: declared windows and the ad-hoc freeze, parsed (lib/freeze). */
export interface FreezeConfig {
    readonly windows: readonly FreezeWindow[];
    readonly active?: AdHocFreeze;
    /** Where `pinstack:freeze` is written, for messages. */
    readonly location?: SourceLocation;
}

/** One image's verified signature, as promote records it in the provenance. */
export interface SignatureRecord {
    /** Repository of the image, as pinned. */
    readonly image: string;
    /** The pinned digest the signature was made for. */
    readonly digest: string;
    /** Id of the trusted key that verified it (`pinstack:signing.keys[].id`). */
    readonly key: string;
    /** `sha256:` of the key's DER SubjectPublicKeyInfo, so an id reused for another key does not pass. */
    readonly keyDigest: string;
    /**
     * When promote verified it, where that is not the provenance's own `at`: a rollback carries
     * the records of the pin it restores, verified at that pin's promotion.
     */
    readonly verifiedAt?: string;
}

/** One trusted signing key as the stack names it (`pinstack:signing.keys[]`). */
export interface SigningKeySpec {
    readonly id: string;
    /** A PEM public key inline, or the path of a PEM file relative to the project directory. */
    readonly publicKey: string;
    /** ISO-8601: signatures by this key are accepted from this time on. */
    readonly notBefore?: string;
    /** ISO-8601: and until this time. */
    readonly notAfter?: string;
    readonly location: SourceLocation;
}

/** `pinstack:signing`: the keys whose signatures the stack trusts. */
export interface SigningPolicy {
    readonly keys: readonly SigningKeySpec[];
    readonly location: SourceLocation;
}

export interface Probe {
    readonly path: string;
    readonly port?: number;
    readonly initialDelaySeconds?: number;
    readonly periodSeconds?: number;
}

export interface Migrations {
    /** Command run by the migrations Job, in the service's image. */
    readonly command: readonly string[];
}

/** The lists of a service's extra containers, in the order a pod spec has them. */
export const EXTRA_CONTAINER_LISTS = ["initContainers", "sidecars"] as const;

/** A sidecar or init container that ships with the service and obeys the same tag rules. */
export interface ExtraContainer {
    readonly name: string;
    readonly image: string;
    readonly tag?: string;
    readonly digest?: string;
}

export interface ServicePin {
    readonly name: string;
    /** Repository, as written: `ghcr.io/example/backend`. */
    readonly image: string;
    /** Absent means "no tag" (which is mutable). */
    readonly tag?: string;
    /** `sha256:<hex>`; required where the preset says. */
    readonly digest?: string;
    readonly scheme: SchemeName;
    /** Version shown in version.json / app.kubernetes.io/version; defaults to tag. */
    readonly version?: string;
    /** Source commit (Merino's version identifier). */
    readonly commit?: string;
    readonly port: number;
    readonly replicas?: number;
    readonly strategy: StrategyName;
    /** blue-green only: the colour the Service selects. */
    readonly activeColor?: Color;
    /** blue-green only: the pin the inactive colour still runs, kept for a fast rollback. */
    readonly previous?: { readonly tag?: string; readonly digest?: string };
    /** read-only only: whether the read-only window is open during this update. */
    readonly readOnly?: boolean;
    readonly migrations?: Migrations;
    readonly readiness?: Probe;
    readonly liveness?: Probe;
    readonly initContainers?: readonly ExtraContainer[];
    readonly sidecars?: readonly ExtraContainer[];
    readonly env?: Readonly<Record<string, string>>;
    readonly provenance?: Provenance;
    readonly location: SourceLocation;
    /** Where each field was written (`tag`, `digest`, `provenance`, ...), for messages; absent keys fall back to `location`. */
    readonly fieldLocations?: Readonly<Record<string, SourceLocation>>;
}

export type PackageChannel = "dev" | "staging" | "release";

export interface PackagePin {
    readonly name: string;
    /** As written: `10.8.5`, `10.8.5rc1`, or (refused outside playground) `>=10.8`. */
    readonly version: string;
    /** Package index channel the pin is read from (UKRDC's devpi indices). */
    readonly channel: PackageChannel;
    readonly provenance?: Provenance;
    readonly location: SourceLocation;
    /** Where each field was written (`version`, `provenance`, ...); absent keys fall back to `location`. */
    readonly fieldLocations?: Readonly<Record<string, SourceLocation>>;
}

/** Runbook gates handed to the rules by CI (or set in config for a stack). */
export interface Gates {
    /** Merino: `[load test: abort|skip|warn]`; absent means run and warn. */
    readonly loadTest?: "abort" | "skip" | "warn";
    /** Result of the load test when it ran. */
    readonly loadTestPassed?: boolean;
    /** GWCelery: the release acceptance checklist is complete. */
    readonly acceptanceComplete?: boolean;
    /** Fragalysis: tags known to be on a production branch, per image repository. */
    readonly productionBranchTags?: Readonly<Record<string, readonly string[]>>;
}

export interface StackConfig {
    /** Stack name, from the file name `Pulumi.<stack>.yaml`. */
    readonly stack: string;
    readonly file: string;
    /** Preset name (`pinstack:environment`), e.g. `production`. */
    readonly environment: string;
    readonly namespace: string;
    readonly hold: boolean;
    readonly holdReason?: string;
    /** Freeze windows and the ad-hoc freeze; no windows and no freeze when the stack declares none. */
    readonly freeze: FreezeConfig;
    /** Overrides the preset's `cloud` when set. */
    readonly cloud?: boolean;
    /** `pinstack:renderDir`: when set, manifests are rendered to this directory instead of applied. */
    readonly renderDir?: string;
    /**
     * `pinstack:kubeconfig`: the kubeconfig file of the cluster the stack deploys to (relative
     * to the project directory). Unset, and with no renderDir, the provider takes the ambient
     * one ($KUBECONFIG, then ~/.kube/config), as kubectl does.
     */
    readonly kubeconfig?: string;
    /** `pinstack:kubeContext`: the kubeconfig context to use; its current context when unset. */
    readonly kubeContext?: string;
    readonly services: readonly ServicePin[];
    readonly packages: readonly PackagePin[];
    readonly gates: Gates;
    /** `pinstack:preset`: per-stack changes to the named preset (soakMinutes, registries, ...). */
    readonly presetOverrides: Readonly<Record<string, unknown>>;
    /** `pinstack:signing`: trusted signing keys; absent when the stack names none (lib/signing). */
    readonly signing?: SigningPolicy;
    /** Keys whose values are `secure:` — never printed. */
    readonly secretKeys: readonly string[];
}

export type Level = "advisory" | "mandatory" | "disabled";

export type RuleId =
    | "no-mutable-tags"
    | "tag-scheme"
    | "no-prereleases"
    | "digest-required"
    | "registry-allowed"
    | "exact-package-pins"
    | "provenance"
    | "hold"
    | "load-test-gate"
    | "acceptance-checklist"
    | "production-branch-tag"
    | "immutable-repositories"
    | "signed-images";

/** One finding of a rule. */
export interface Violation {
    readonly rule: RuleId;
    readonly level: Level;
    readonly message: string;
    readonly stack?: string;
    /** Service or package the finding is about. */
    readonly subject?: string;
    readonly location?: SourceLocation;
}
