/** Image registries: tag -> digest over the OCI distribution API. */
export { DigestResolver, MANIFEST_TYPES, parseChallenge, registryEndpoint, registryResolver, RegistryOptions, ResolvedTag, resolveTag } from "./client";
export { CredentialLookup, Credentials, dockerCredentials, normaliseHost } from "./credentials";
