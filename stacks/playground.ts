import { allRulesAt, StackPreset } from "../lib/presets";

/** Follows main on every green push; anything goes, rules only warn. */
export const playground: StackPreset = {
    name: "playground",
    replicas: 1,
    cloud: false,
    requireDigest: false,
    allowMutableTags: true,
    allowPrereleases: true,
    allowedSchemes: ["semver", "semver-v", "calver", "commit", "pep440", "any"],
    registries: [],
    soakMinutes: 0,
    promoteFrom: undefined,
    deploy: "auto",
    immutableRepositories: false,
    resolveDigests: false,
    rolloutTimeoutSeconds: 120,
    imageRetention: { keepTagged: 20, expireUntaggedDays: 3 },
    levels: {
        ...allRulesAt("advisory"),
        "provenance": "disabled",
        "hold": "mandatory",
        // The playground follows main's builds, signed or not.
        "signed-images": "disabled",
    },
};
