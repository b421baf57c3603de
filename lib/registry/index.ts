/** Image registries: tag -> digest over the OCI distribution API, every answer verified. */
export {
    DEFAULT_TIMEOUT_MS,
    DigestResolver,
    fetchBlob,
    fetchManifest,
    FetchedManifest,
    MANIFEST_MAX_BYTES,
    MANIFEST_TYPES,
    parseChallenge,
    realmTrust,
    registryEndpoint,
    registryResolver,
    RegistryOptions,
    registryTimeoutFromEnv,
    ResolvedTag,
    resolveTag,
} from "./client";
export { CredentialLookup, Credentials, dockerCredentials, normaliseHost } from "./credentials";
