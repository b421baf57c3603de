import { allRulesAt, StackPreset } from "../lib/presets";

/** Release candidates are tried here; exact pins, no mutable tags. */
export const staging: StackPreset = {
    name: "staging",
    replicas: 2,
    cloud: true,
    requireDigest: false,
    allowMutableTags: false,
    allowPrereleases: true,
    allowedSchemes: ["semver", "semver-v", "calver", "commit", "pep440"],
    registries: [],
    soakMinutes: 0,
    promoteFrom: undefined,
    deploy: "auto",
    immutableRepositories: true,
    resolveDigests: true,
    rolloutTimeoutSeconds: 180,
    imageRetention: { keepTagged: 50, expireUntaggedDays: 7 },
    levels: {
        ...allRulesAt("mandatory"),
        "provenance": "disabled",
        // The runbook gates guard the step into production (Merino load-tests staging
        // before production; GWCelery's checklist and Fragalysis' production-branch
        // tags are production-release steps), so they do not apply to staging itself.
        "acceptance-checklist": "disabled",
        "load-test-gate": "disabled",
        "production-branch-tag": "disabled",
        // Signatures are checked and reported here, and required only in production.
        "signed-images": "advisory",
    },
};
