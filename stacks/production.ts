import { allRulesAt, StackPreset } from "../lib/presets";

/** Deployed by hand after review: digests pinned, no prereleases, promoted from staging only. */
export const production: StackPreset = {
    name: "production",
    replicas: 3,
    cloud: true,
    requireDigest: true,
    allowMutableTags: false,
    allowPrereleases: false,
    allowedSchemes: ["semver", "semver-v", "calver", "commit", "pep440"],
    registries: [],
    soakMinutes: 60,
    promoteFrom: "staging",
    deploy: "manual",
    immutableRepositories: true,
    resolveDigests: true,
    rolloutTimeoutSeconds: 300,
    imageRetention: { keepTagged: 200, expireUntaggedDays: 14 },
    levels: allRulesAt("mandatory"),
};
