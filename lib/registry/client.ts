import { createHash } from "crypto";
import { badInput, PinstackError, refused } from "../errors";
import { parseRepositoryName, qualifiedName } from "../reference";
import { CredentialLookup, Credentials, dockerCredentials } from "./credentials";
import { Deadline, deadline, discard, fetchWithinOrigin, formatSeconds, readLimited, RequestFailure } from "./http";

/**
 * A small OCI distribution client: the one request promotion needs, "which digest does this
 * tag name now" (`GET /v2/<name>/manifests/<tag>`), with the registry's token flow.
 * Hand-written over `fetch`: the npm registry clients either pull a Docker daemon API in or
 * are unmaintained; this is one request and one auth dance.
 *
 * The answer is pinned and recorded in the append-only ledger, so nothing in it is taken on
 * the registry's word: the manifest bytes are fetched (a HEAD would give only a claimed
 * digest) and hashed, the claim must match the hash, the body must be a manifest or index
 * of at most 4 MiB, and the whole resolution has one deadline. On Docker Hub a GET of a
 * manifest counts against the pull rate limit where a HEAD does not; one per promoted
 * container is the price of not pinning an unchecked digest.
 */

/** The manifest types a tag can name, in preference order; an index (multi-arch) is what `docker pull <tag>` resolves first. */
export const MANIFEST_TYPES = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
] as const;

/** The OCI distribution spec's limit: registries must accept manifests up to 4 MiB and may refuse larger ones. */
export const MANIFEST_MAX_BYTES = 4 * 1024 * 1024;

/** How long one resolution (token, manifest, body) may take in all, unless the caller says otherwise. */
export const DEFAULT_TIMEOUT_MS = 30_000;

const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;

export interface ResolvedTag {
    /** `sha256:<hex>` of the manifest the tag names: the hash of the bytes received, which the registry's claim matched. */
    readonly digest: string;
    /** Content-Type of that manifest. */
    readonly mediaType: string;
    /** The URL asked (no credentials in it). */
    readonly url: string;
}

/** Resolves `image:tag` to the digest the registry has for it now. */
export type DigestResolver = (image: string, tag: string) => Promise<ResolvedTag>;

export interface RegistryOptions {
    readonly credentials?: CredentialLookup;
    /** Injected for tests; the global fetch otherwise. */
    readonly fetch?: typeof fetch;
    /** The deadline of one resolution, every request and body included. */
    readonly timeoutMs?: number;
}

/** A resolver backed by the registries' HTTP API. Failures are refusals (exit 1): promotion cannot check the tag. */
export function registryResolver(options: RegistryOptions = {}): DigestResolver {
    return (image, tag) => resolveTag(image, tag, options);
}

/** PINSTACK_REGISTRY_TIMEOUT (seconds) as a deadline in ms; the default when unset. Bad input (exit 2) when it is not a positive number. */
export function registryTimeoutFromEnv(env: NodeJS.ProcessEnv = process.env): number {
    const text = env.PINSTACK_REGISTRY_TIMEOUT;
    if (text === undefined || text === "") return DEFAULT_TIMEOUT_MS;
    const seconds = Number(text);
    if (!Number.isFinite(seconds) || seconds <= 0) {
        throw badInput(`PINSTACK_REGISTRY_TIMEOUT must be a number of seconds greater than 0, not '${text}'`, { fix: `unset it for the default of ${formatSeconds(DEFAULT_TIMEOUT_MS)}` });
    }
    return seconds * 1000;
}

/** Where a repository lives: the API base URL and the repository path in it. */
export function registryEndpoint(image: string): { registry: string; base: string; repository: string } {
    const parsed = parseRepositoryName(image);
    if (!parsed.ok) throw refused(`cannot ask a registry about '${image}': ${parsed.error}`);
    const full = qualifiedName(parsed.value);
    const slash = full.indexOf("/");
    const registry = full.slice(0, slash);
    const repository = full.slice(slash + 1);
    // Docker Hub's API host differs from its name; local registries speak plain http (as docker's
    // built-in insecure-registry default for 127.0.0.0/8 does), everything else https.
    const host = registry === "docker.io" ? "registry-1.docker.io" : registry;
    const local = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])(:\d+)?$/.test(host);
    return { registry, base: `${local ? "http" : "https"}://${host}`, repository };
}

/**
 * The digest `reference` (a tag, or a `sha256:` digest) names in `image`'s registry, verified
 * against the manifest bytes received. Every failure is a refusal (exit 1) naming the image
 * and the registry: the answer could not be had, or cannot be trusted.
 */
export async function resolveTag(image: string, reference: string, options: RegistryOptions = {}): Promise<ResolvedTag> {
    const fetched = await fetchManifest(image, reference, options);
    return { digest: fetched.digest, mediaType: fetched.mediaType, url: fetched.url };
}

/** A manifest as received: its verified digest, its type, and its bytes. */
export interface FetchedManifest extends ResolvedTag {
    readonly bytes: Buffer;
}

/**
 * The manifest `reference` names in `image`'s repository, with resolveTag's checks (digest of
 * the bytes, type, size, deadline). With `missing: "undefined"` a 404 is an answer (undefined),
 * for callers to whom "there is none" means something (no signature), not a failure.
 */
export async function fetchManifest(image: string, reference: string, options?: RegistryOptions): Promise<FetchedManifest>;
export async function fetchManifest(image: string, reference: string, options: RegistryOptions, missing: "undefined"): Promise<FetchedManifest | undefined>;
export async function fetchManifest(image: string, reference: string, options: RegistryOptions = {}, missing: "refuse" | "undefined" = "refuse"): Promise<FetchedManifest | undefined> {
    const credentials = options.credentials ?? dockerCredentials();
    const { registry, base, repository } = registryEndpoint(image);
    const byDigest = reference.includes(":");
    if (byDigest && !SHA256_DIGEST.test(reference)) {
        throw refused(`cannot resolve ${image}@${reference}: pinstack pins sha256 digests only`, { fix: "name the image by tag or by a sha256:<64 hex> digest" });
    }
    const what = byDigest ? `${image}@${reference}` : `${image}:${reference}`;
    const url = `${base}/v2/${repository}/manifests/${byDigest ? reference : encodeURIComponent(reference)}`;
    const limit = deadline(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const context: RequestContext = { registry, base, repository, what, url, doFetch: options.fetch ?? fetch, limit };
    try {
        const response = await getManifest(context, credentials(registry), missing === "undefined");
        if (response === undefined) return undefined;
        const mediaType = manifestType(response, context);
        const bytes = await readLimited(response, MANIFEST_MAX_BYTES, limit);
        const digest = verifiedDigest(bytes, response.headers.get("docker-content-digest"), byDigest ? reference : undefined, context);
        checkManifest(bytes, mediaType, context);
        return { digest, mediaType, url, bytes };
    } catch (err) {
        throw err instanceof RequestFailure ? failureRefusal(err, context) : err;
    } finally {
        limit.clear();
    }
}

interface RequestContext {
    readonly registry: string;
    /** The registry's API origin, e.g. `https://ghcr.io`. */
    readonly base: string;
    readonly repository: string;
    /** `image:tag` or `image@digest`, for messages. */
    readonly what: string;
    readonly url: string;
    readonly doFetch: typeof fetch;
    readonly limit: Deadline;
}

/** GET the manifest, answering one 401 challenge; a response that is not 2xx is a refusal here (a 404 is undefined when `missingOk`). */
async function getManifest(context: RequestContext, credentials: Credentials | undefined, missingOk = false): Promise<Response | undefined> {
    const { registry, what, url } = context;
    const response = await getAuthorized(context, credentials, { Accept: MANIFEST_TYPES.join(", ") });
    if (response.ok) return response;
    await discard(response);
    if (response.status === 404 && missingOk) return undefined;
    if (response.status === 404) {
        throw refused(`the registry has no ${what}`, {
            why: `${url} answered 404: the tag was never pushed, or was deleted`,
            fix: "push the image, or promote a tag the registry has",
        });
    }
    if (response.status === 401 || response.status === 403) {
        throw refused(`the registry refused access to ${what} (HTTP ${response.status})`, {
            fix: `log in (docker login ${registry}) or set PINSTACK_REGISTRY_USERNAME/PINSTACK_REGISTRY_PASSWORD with pull access`,
        });
    }
    throw refused(`the registry answered HTTP ${response.status} for ${what}`, { why: url });
}

/** GET context.url, answering one 401 challenge with the registry's token flow. */
async function getAuthorized(context: RequestContext, credentials: Credentials | undefined, headers: Record<string, string>, contentAddressed = false): Promise<Response> {
    const get = (authorization?: string) =>
        fetchWithinOrigin(context.doFetch, context.url, { method: "GET", headers: { ...headers, ...(authorization ? { Authorization: authorization } : {}) } }, context.limit, { contentAddressed });
    const response = await get();
    if (response.status !== 401) return response;
    const challenge = response.headers.get("www-authenticate");
    await discard(response);
    return get(await authorize(challenge, context, credentials));
}

/**
 * The bytes of blob `digest` in `image`'s repository, at most `maxBytes`, verified to hash to
 * `digest`. Every failure is a refusal (exit 1) naming the image and the registry.
 */
export async function fetchBlob(image: string, digest: string, maxBytes: number, options: RegistryOptions = {}): Promise<Buffer> {
    if (!SHA256_DIGEST.test(digest)) throw refused(`cannot fetch blob ${digest} of ${image}: pinstack reads sha256 blobs only`);
    const credentials = options.credentials ?? dockerCredentials();
    const { registry, base, repository } = registryEndpoint(image);
    const what = `blob ${digest} of ${image}`;
    const url = `${base}/v2/${repository}/blobs/${digest}`;
    const limit = deadline(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const context: RequestContext = { registry, base, repository, what, url, doFetch: options.fetch ?? fetch, limit };
    try {
        const response = await getAuthorized(context, credentials(registry), {}, true);
        if (!response.ok) {
            await discard(response);
            throw refused(`the registry answered HTTP ${response.status} for ${what}`, { why: url, fix: "check that the blob was pushed with the manifest that names it" });
        }
        const bytes = await readLimited(response, maxBytes, limit);
        const actual = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
        if (actual !== digest) {
            throw refused(`the registry ${registry} cannot be trusted for ${what}: the bytes it sent hash to ${actual}`, {
                why: "a blob is named by the sha256 of its bytes; an answer that does not hash to its name is not that blob",
                fix: `nothing was written; ask the operator of ${registry} (or of a proxy in between) why its answer does not match`,
            });
        }
        return bytes;
    } catch (err) {
        throw err instanceof RequestFailure ? failureRefusal(err, context, undefined, maxBytes) : err;
    } finally {
        limit.clear();
    }
}

/** The response's Content-Type when it is a manifest or index type; a refusal (before the body is read) otherwise. */
function manifestType(response: Response, context: RequestContext): string {
    const contentType = response.headers.get("content-type") ?? "";
    const mediaType = contentType.split(";")[0].trim().toLowerCase();
    if ((MANIFEST_TYPES as readonly string[]).includes(mediaType)) return mediaType;
    throw refused(`the registry ${context.registry} answered ${context.what} with ${contentType ? `Content-Type ${contentType}` : "no Content-Type"}, not an image manifest`, {
        why: `pinstack pins only ${MANIFEST_TYPES.join(", ")}; anything else (a login page, a proxy's error page with status 200) is not an image, and its hash is not a digest to pin`,
        fix: `check that ${context.base} is the image's registry; nothing was written`,
    });
}

/**
 * `sha256:` of the bytes, once the registry's claim (Docker-Content-Digest, optional in the
 * OCI spec) and, resolving by digest, the digest asked for both equal it.
 */
function verifiedDigest(bytes: Buffer, claimed: string | null, asked: string | undefined, context: RequestContext): string {
    const actual = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
    const untrusted = (what: string) =>
        refused(`the registry ${context.registry} cannot be trusted for ${context.what}: ${what}`, {
            why: "a digest is the sha256 of the manifest's bytes; a registry (or a proxy) whose answer does not hash to what it names could make pinstack pin and record an image nobody checked",
            fix: `nothing was written; retry later, and ask the operator of ${context.registry} (or of a proxy in between) why its answer does not match`,
        });
    if (claimed !== null) {
        const claim = claimed.trim();
        if (!SHA256_DIGEST.test(claim)) {
            throw refused(`the registry ${context.registry} gave ${context.what} a digest pinstack does not pin: ${claim}`, { fix: "pin sha256 digests; ask the registry's operator" });
        }
        if (claim !== actual) throw untrusted(`it claims Docker-Content-Digest ${claim}, but the manifest it sent hashes to ${actual}`);
    }
    if (asked !== undefined && asked !== actual) throw untrusted(`it was asked for ${asked}, but the manifest it sent hashes to ${actual}`);
    return actual;
}

/** The body must be what its Content-Type says: a schemaVersion 2 JSON object whose own mediaType, if any, agrees. */
function checkManifest(bytes: Buffer, mediaType: string, context: RequestContext): void {
    let problem: string | undefined;
    try {
        const manifest = JSON.parse(bytes.toString("utf8")) as unknown;
        if (!manifest || typeof manifest !== "object" || Array.isArray(manifest)) problem = "it is not a JSON object";
        else {
            const fields = manifest as { schemaVersion?: unknown; mediaType?: unknown };
            if (fields.schemaVersion !== 2) problem = `its schemaVersion is ${JSON.stringify(fields.schemaVersion)}, not 2`;
            else if (fields.mediaType !== undefined && fields.mediaType !== mediaType) problem = `its mediaType is ${JSON.stringify(fields.mediaType)}`;
        }
    } catch {
        problem = "it is not JSON";
    }
    if (problem) {
        throw refused(`the registry ${context.registry} sent ${context.what} as ${mediaType}, but ${problem}`, {
            why: "a manifest that is not what its type says is not an image pinstack can pin",
            fix: `check that ${context.base} is the image's registry; nothing was written`,
        });
    }
}

/** The Authorization header for a 401's challenge: Basic with the credentials, or a Bearer token from the realm. */
async function authorize(challenge: string | null, context: RequestContext, credentials: Credentials | undefined): Promise<string> {
    const { registry, what } = context;
    const parsed = parseChallenge(challenge ?? "");
    const basic = credentials ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}` : undefined;
    if (parsed?.scheme === "basic") {
        if (!basic) {
            throw refused(`the registry ${registry} needs credentials for ${what}`, {
                fix: `docker login ${registry}, or set PINSTACK_REGISTRY_USERNAME and PINSTACK_REGISTRY_PASSWORD`,
            });
        }
        // registryEndpoint speaks https to every registry but a loopback one, and the retry goes to the same origin.
        return basic;
    }
    if (parsed?.scheme !== "bearer" || !parsed.params.realm) {
        throw refused(`the registry ${registry} asked for an authentication pinstack does not speak`, { why: `WWW-Authenticate: ${challenge ?? "(none)"}` });
    }
    let realm: URL;
    try {
        realm = new URL(parsed.params.realm);
    } catch {
        throw refused(`the registry ${registry} named a token service that is not a URL: ${parsed.params.realm}`);
    }
    const trust = realmTrust(context.base, realm);
    if (!trust.ok) {
        throw refused(`the registry ${registry} sent pinstack to a token service pinstack will not ask: ${realm.origin}`, {
            why: trust.why,
            fix: `nothing was sent to it; if ${registry} is yours, serve its token realm over https (plain http only on a loopback registry's own host)`,
        });
    }
    if (parsed.params.service) realm.searchParams.set("service", parsed.params.service);
    realm.searchParams.set("scope", parsed.params.scope ?? `repository:${context.repository}:pull`);
    return `Bearer ${await requestToken(realm, trust.credentials ? basic : undefined, basic !== undefined && !trust.credentials, context)}`;
}

/** A pull token from the realm; `withheld` says credentials existed but were not for this host (for the refusal's why). */
async function requestToken(realm: URL, authorization: string | undefined, withheld: boolean, context: RequestContext): Promise<string> {
    const { registry, what } = context;
    const tokenContext: RequestContext = { ...context, url: `${realm.origin}${realm.pathname}` };
    let response: Response;
    let body: Buffer;
    try {
        response = await fetchWithinOrigin(context.doFetch, realm.toString(), { method: "GET", headers: authorization ? { Authorization: authorization } : {} }, context.limit);
        body = await readLimited(response, MANIFEST_MAX_BYTES, context.limit);
    } catch (err) {
        throw err instanceof RequestFailure ? failureRefusal(err, tokenContext, `the token service of ${registry}`) : err;
    }
    if (!response.ok) {
        throw refused(`the token service of ${registry} refused a pull token for ${what} (HTTP ${response.status})`, {
            why: withheld ? `pinstack sends credentials only to the registry's own host (and auth.docker.io for Docker Hub), and ${realm.hostname} is another host: the token was asked for without them` : undefined,
            fix: withheld
                ? "make the image pullable anonymously, or use a registry whose token service is on its own host"
                : authorization
                  ? "check that the credentials have pull access"
                  : `docker login ${registry}, or set PINSTACK_REGISTRY_USERNAME and PINSTACK_REGISTRY_PASSWORD`,
        });
    }
    let token: unknown;
    try {
        const parsed = JSON.parse(body.toString("utf8")) as { token?: unknown; access_token?: unknown };
        token = parsed.token ?? parsed.access_token;
    } catch {
        token = undefined;
    }
    if (typeof token !== "string" || token === "") throw refused(`the token service of ${registry} returned no token`, { why: tokenContext.url });
    return token;
}

/** Docker Hub's token service is on its own host; the one split pinstack knows to be the same party. */
const TOKEN_HOSTS: Readonly<Record<string, string>> = { "registry-1.docker.io": "auth.docker.io" };

/**
 * May pinstack ask this token realm, and send the credentials with the request? Only https,
 * except plain http on the loopback registry's own host; credentials only to the registry's
 * own host name (or Docker Hub's auth host), since a lying registry could name any realm to
 * collect them.
 */
export function realmTrust(registryBase: string, realm: URL): { ok: true; credentials: boolean } | { ok: false; why: string } {
    const registry = new URL(registryBase);
    const sameHost = realm.hostname === registry.hostname || TOKEN_HOSTS[registry.hostname] === realm.hostname;
    if (realm.protocol === "https:") return { ok: true, credentials: sameHost };
    if (realm.protocol === "http:" && registry.protocol === "http:" && realm.hostname === registry.hostname) return { ok: true, credentials: true };
    return {
        ok: false,
        why:
            realm.protocol !== "http:"
                ? `the realm's scheme is ${realm.protocol}, not https:`
                : `the realm is plain http${realm.hostname === registry.hostname ? "" : ` on another host than the registry (${registry.hostname})`}: anyone on the way could read or forge the token`,
    };
}

/** A RequestFailure as the refusal the user reads, naming the image and who was asked. */
function failureRefusal(failure: RequestFailure, context: RequestContext, who = `the registry ${context.registry}`, maxBytes = MANIFEST_MAX_BYTES): PinstackError {
    const nothing = "nothing was written";
    switch (failure.kind) {
        case "timeout":
            return refused(`${who} did not finish answering for ${context.what} within ${formatSeconds(context.limit.ms)}`, {
                why: `${context.url}: ${failure.detail}; a registry that stalls or drips its answer cannot be waited for`,
                fix: `retry when the registry is healthy (PINSTACK_REGISTRY_TIMEOUT=<seconds> allows longer); ${nothing}`,
            });
        case "too-large":
            return refused(`${who} sent more than ${maxBytes >= 1024 * 1024 ? `${maxBytes / (1024 * 1024)} MiB` : `${maxBytes} bytes`} for ${context.what} (${failure.detail})`, {
                why: maxBytes === MANIFEST_MAX_BYTES ? "OCI registries may refuse manifests over 4 MiB, so no image has a larger one; pinstack stopped reading" : "no answer pinstack asks for here is that large; pinstack stopped reading",
                fix: `check that ${context.base} is the image's registry and not a proxy or a web page; ${nothing}`,
            });
        case "redirect-elsewhere":
        case "too-many-redirects":
            return refused(`${who} redirected the request for ${context.what} away (${failure.detail})`, {
                why: "pinstack follows redirects only within the origin it asked: credentials and the answer belong to the registry the image names",
                fix: `if the host it redirects to is the real registry, name the image there; ${nothing}`,
            });
        case "unreachable":
            return refused(`cannot reach ${who} for ${context.what} (${failure.detail})`, {
                why: `pinstack asked ${context.url} which digest the tag names, and got no answer`,
                fix: `check the network and the registry address; ${nothing}`,
            });
    }
}

/** `Bearer realm="https://auth/token",service="registry",scope="repository:a/b:pull"` -> its parts (RFC 7235). */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } | undefined {
    const match = /^\s*([A-Za-z]+)\s*(.*)$/.exec(header);
    if (!match) return undefined;
    const params: Record<string, string> = {};
    for (const param of match[2].matchAll(/([A-Za-z_]+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
        params[param[1].toLowerCase()] = (param[2] ?? param[3] ?? "").replace(/\\(.)/g, "$1");
    }
    return { scheme: match[1].toLowerCase(), params };
}
