/**
 * JSON schema of the `pinstack:*` stack config (draft-07, validated with ajv). Each
 * `description` doubles as the message for a `pattern` failure, so it says what to write.
 */

const k8sName = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
const levels = { type: "string", enum: ["advisory", "mandatory", "disabled"] };
const ruleIds = [
    "no-mutable-tags",
    "tag-scheme",
    "no-prereleases",
    "digest-required",
    "registry-allowed",
    "exact-package-pins",
    "provenance",
    "hold",
    "load-test-gate",
    "acceptance-checklist",
    "production-branch-tag",
    "immutable-repositories",
    "signed-images",
];
const schemeNames = ["semver", "semver-v", "calver", "commit", "pep440", "any"];

const provenance = {
    type: "object",
    additionalProperties: false,
    required: ["from", "at", "by", "reason", "seal"],
    properties: {
        from: { type: "string", minLength: 1 },
        at: { type: "string", minLength: 1 },
        by: { type: "string", minLength: 1 },
        reason: { type: "string" },
        allowUndeployed: { type: "boolean" },
        rollback: { type: "boolean" },
        breakGlass: {
            type: "object",
            additionalProperties: false,
            required: ["freeze"],
            properties: { freeze: { type: "string", minLength: 1 }, until: { type: "string" } },
        },
        signatures: {
            type: "array",
            items: {
                type: "object",
                additionalProperties: false,
                required: ["image", "digest", "key", "keyDigest"],
                properties: {
                    image: { type: "string", minLength: 1 },
                    digest: { type: "string", pattern: "^sha256:[0-9a-f]{64}$", description: "a digest is sha256:<64 lowercase hex digits>, written by pinstack promote" },
                    key: { type: "string", minLength: 1 },
                    keyDigest: { type: "string", pattern: "^sha256:[0-9a-f]{64}$", description: "a key digest is sha256:<64 lowercase hex digits>, written by pinstack promote" },
                    verifiedAt: { type: "string", minLength: 1 },
                },
            },
        },
        seal: { type: "string", pattern: "^sha256:[0-9a-f]{64}$", description: "a seal is sha256:<64 lowercase hex digits>, written by pinstack promote" },
    },
};

const probe = {
    type: "object",
    additionalProperties: false,
    required: ["path"],
    properties: {
        path: { type: "string", pattern: "^/", description: "a probe path starts with '/', e.g. /health" },
        port: { type: "integer", minimum: 1, maximum: 65535 },
        initialDelaySeconds: { type: "integer", minimum: 0 },
        periodSeconds: { type: "integer", minimum: 1 },
    },
};

const extraContainer = {
    type: "object",
    additionalProperties: false,
    required: ["name", "image"],
    properties: {
        name: { type: "string", pattern: k8sName, description: "a container name is lowercase letters, digits and '-'" },
        image: { type: "string" },
        tag: { type: "string" },
        digest: { type: "string" },
    },
};

const service = {
    type: "object",
    additionalProperties: false,
    required: ["image"],
    properties: {
        image: { type: "string" },
        tag: { type: "string" },
        digest: { type: "string" },
        scheme: { type: "string", enum: schemeNames },
        version: { type: "string" },
        commit: { type: "string" },
        port: { type: "integer", minimum: 1, maximum: 65535 },
        replicas: { type: "integer", minimum: 0 },
        strategy: { type: "string", enum: ["in-place", "blue-green", "read-only"] },
        activeColor: { type: "string", enum: ["blue", "green"] },
        previous: {
            type: "object",
            additionalProperties: false,
            properties: { tag: { type: "string" }, digest: { type: "string" } },
        },
        readOnly: { type: "boolean" },
        migrations: {
            type: "object",
            additionalProperties: false,
            required: ["command"],
            properties: { command: { type: "array", minItems: 1, items: { type: "string" } } },
        },
        readiness: probe,
        liveness: probe,
        initContainers: { type: "array", items: extraContainer },
        sidecars: { type: "array", items: extraContainer },
        env: { type: "object", additionalProperties: { type: "string" } },
        provenance,
    },
};

const pkg = {
    type: "object",
    additionalProperties: false,
    required: ["version"],
    properties: {
        version: { type: "string" },
        channel: { type: "string", enum: ["dev", "staging", "release"] },
        provenance,
    },
};

const presetOverrides = {
    type: "object",
    additionalProperties: false,
    properties: {
        replicas: { type: "integer", minimum: 0 },
        cloud: { type: "boolean" },
        requireDigest: { type: "boolean" },
        allowMutableTags: { type: "boolean" },
        allowPrereleases: { type: "boolean" },
        allowedSchemes: { type: "array", items: { type: "string", enum: schemeNames } },
        registries: { type: "array", items: { type: "string", minLength: 1 } },
        soakMinutes: { type: "integer", minimum: 0 },
        promoteFrom: { type: "string" },
        deploy: { type: "string", enum: ["auto", "manual"] },
        immutableRepositories: { type: "boolean" },
        resolveDigests: { type: "boolean" },
        rolloutTimeoutSeconds: { type: "integer", minimum: 1, maximum: 86400 },
        imageRetention: {
            type: "object",
            additionalProperties: false,
            // Both: effectivePreset replaces the preset's object whole.
            required: ["keepTagged", "expireUntaggedDays"],
            properties: {
                keepTagged: { type: "integer", minimum: 1 },
                expireUntaggedDays: { type: "integer", minimum: 1 },
            },
        },
        levels: {
            type: "object",
            additionalProperties: false,
            properties: Object.fromEntries(ruleIds.map((id) => [id, levels])),
        },
    },
};

const gates = {
    type: "object",
    additionalProperties: false,
    properties: {
        loadTest: { type: "string", enum: ["abort", "skip", "warn"] },
        loadTestPassed: { type: "boolean" },
        acceptanceComplete: { type: "boolean" },
        productionBranchTags: { type: "object", additionalProperties: { type: "array", items: { type: "string" } } },
    },
};

const isoTime = { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$", description: "a time is ISO-8601 with a zone, e.g. 2027-01-01T00:00:00Z" };

/** The keys whose cosign signatures a stack trusts (lib/signing); the rule's level says whether it requires them. */
const signing = {
    type: "object",
    additionalProperties: false,
    required: ["keys"],
    properties: {
        keys: {
            type: "array",
            items: {
                type: "object",
                additionalProperties: false,
                required: ["id", "publicKey"],
                properties: {
                    id: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$", description: "a key id is letters, digits, '.', '_' and '-', e.g. ci-2026" },
                    publicKey: { type: "string", minLength: 1 },
                    notBefore: isoTime,
                    notAfter: isoTime,
                },
            },
        },
    },
};

/**
 * Written by every `pinstack promote`, `rollback` and `hold` next to the pins: what last changed
 * this file and why, so the git history of the file (`pinstack history`) carries the reason of
 * changes that move no pin (a hold lifted) as well as of those that do.
 */
const lastChange = {
    type: "object",
    additionalProperties: false,
    required: ["command", "at", "by", "reason"],
    properties: {
        command: { type: "string", enum: ["promote", "rollback", "hold", "hold-clear", "freeze", "freeze-clear"] },
        at: { type: "string", minLength: 1 },
        by: { type: "string", minLength: 1 },
        reason: { type: "string" },
        from: { type: "string" },
        update: { type: "integer", minimum: 1 },
    },
};

/**
 * `pinstack:freeze`: the stack's freeze windows (lib/freeze reads each string) and the ad-hoc
 * freeze `pinstack freeze` records, with who set it, when, why, and until when (absent: until cleared).
 */
const freeze = {
    type: "object",
    additionalProperties: false,
    properties: {
        windows: { type: "array", items: { type: "string", minLength: 1 } },
        active: {
            type: "object",
            additionalProperties: false,
            required: ["reason", "by", "at"],
            properties: {
                reason: { type: "string", minLength: 1 },
                by: { type: "string", minLength: 1 },
                at: isoTime,
                until: isoTime,
            },
        },
    },
};

/** The schema of the `pinstack:*` keys of one stack's config (after bare keys got their `pinstack:` prefix). */
export const stackConfigSchema = {
    $id: "https://pinstack.dev/schemas/stack-config.json",
    type: "object",
    additionalProperties: false,
    properties: {
        "pinstack:environment": { type: "string", minLength: 1 },
        "pinstack:namespace": { type: "string", pattern: k8sName, description: "a namespace is lowercase letters, digits and '-', e.g. staging" },
        "pinstack:hold": { type: "boolean" },
        "pinstack:holdReason": { type: "string" },
        "pinstack:freeze": freeze,
        "pinstack:cloud": { type: "boolean" },
        "pinstack:renderDir": { type: "string" },
        "pinstack:kubeconfig": { type: "string" },
        "pinstack:kubeContext": { type: "string" },
        "pinstack:services": {
            type: "object",
            propertyNames: { pattern: k8sName, maxLength: 63 },
            additionalProperties: service,
        },
        "pinstack:packages": {
            type: "object",
            propertyNames: { pattern: "^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$" },
            additionalProperties: pkg,
        },
        "pinstack:preset": presetOverrides,
        "pinstack:gates": gates,
        "pinstack:signing": signing,
        "pinstack:lastChange": lastChange,
    },
} as const;

/** The top-level `pinstack:` keys the schema knows, for "did you mean" hints. */
export const knownTopLevelKeys = Object.keys(stackConfigSchema.properties);
