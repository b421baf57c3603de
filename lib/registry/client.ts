import { createHash } from "crypto";
import { refused } from "../errors";
import { parseRepositoryName, qualifiedName } from "../reference";
import { CredentialLookup, Credentials, dockerCredentials } from "./credentials";

/**
 * A small OCI distribution client: the one request promotion needs, "which digest does this
 * tag name now" (`HEAD /v2/<name>/manifests/<tag>`), with the registry's token flow.
 * Hand-written over `fetch`: the npm registry clients either pull a Docker daemon API in or
 * are unmaintained; this is one request and one auth dance.
 */

/** The manifest types a tag can name, in preference order; an index (multi-arch) is what `docker pull <tag>` resolves first. */
export const MANIFEST_TYPES = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
] as const;

export interface ResolvedTag {
    /** `sha256:<hex>` of the manifest the tag names. */
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
    readonly timeoutMs?: number;
}

/** A resolver backed by the registries' HTTP API. Failures are refusals (exit 1): promotion cannot check the tag. */
export function registryResolver(options: RegistryOptions = {}): DigestResolver {
    return (image, tag) => resolveTag(image, tag, options);
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

export async function resolveTag(image: string, tag: string, options: RegistryOptions = {}): Promise<ResolvedTag> {
    const doFetch = options.fetch ?? fetch;
    const credentials = options.credentials ?? dockerCredentials();
    const { registry, base, repository } = registryEndpoint(image);
    const url = `${base}/v2/${repository}/manifests/${encodeURIComponent(tag)}`;
    const what = `${image}:${tag}`;
    const timeoutMs = options.timeoutMs ?? 30_000;
    const request = async (method: "HEAD" | "GET", authorization?: string): Promise<Response> => {
        const headers: Record<string, string> = { Accept: MANIFEST_TYPES.join(", ") };
        if (authorization) headers.Authorization = authorization;
        try {
            return await doFetch(url, { method, headers, signal: AbortSignal.timeout(timeoutMs), redirect: "follow" });
        } catch (err) {
            throw refused(`cannot reach the registry for ${what} (${describeError(err)})`, {
                why: `pinstack asked ${url} which digest the tag names, and got no answer`,
                fix: "check the network and the registry address; nothing was written",
            });
        }
    };

    let authorization: string | undefined;
    let response = await request("HEAD");
    if (response.status === 401) {
        authorization = await authorize(response.headers.get("www-authenticate"), { registry, repository, what, credentials: credentials(registry), doFetch, timeoutMs });
        response = await request("HEAD", authorization);
    }
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
    if (!response.ok) throw refused(`the registry answered HTTP ${response.status} for ${what}`, { why: url });
    const mediaType = (response.headers.get("content-type") ?? "").split(";")[0].trim();
    let digest = response.headers.get("docker-content-digest") ?? undefined;
    if (!digest) {
        // The header is optional in the OCI spec: hash the manifest body, which is what the digest is.
        const body = await request("GET", authorization);
        if (!body.ok) throw refused(`the registry answered HTTP ${body.status} to GET ${what}`, { why: url });
        digest = `sha256:${createHash("sha256").update(Buffer.from(await body.arrayBuffer())).digest("hex")}`;
    }
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) {
        throw refused(`the registry gave ${what} a digest pinstack does not pin: ${digest}`, { fix: "pin sha256 digests; ask the registry's operator" });
    }
    return { digest, mediaType, url };
}

interface AuthContext {
    readonly registry: string;
    readonly repository: string;
    readonly what: string;
    readonly credentials?: Credentials;
    readonly doFetch: typeof fetch;
    readonly timeoutMs: number;
}

/** The Authorization header for a 401's challenge: Basic with the credentials, or a Bearer token from the realm. */
async function authorize(challenge: string | null, context: AuthContext): Promise<string> {
    const parsed = parseChallenge(challenge ?? "");
    const basic = context.credentials ? `Basic ${Buffer.from(`${context.credentials.username}:${context.credentials.password}`).toString("base64")}` : undefined;
    if (parsed?.scheme === "basic") {
        if (!basic) {
            throw refused(`the registry ${context.registry} needs credentials for ${context.what}`, {
                fix: `docker login ${context.registry}, or set PINSTACK_REGISTRY_USERNAME and PINSTACK_REGISTRY_PASSWORD`,
            });
        }
        return basic;
    }
    if (parsed?.scheme !== "bearer" || !parsed.params.realm) {
        throw refused(`the registry ${context.registry} asked for an authentication pinstack does not speak`, { why: `WWW-Authenticate: ${challenge ?? "(none)"}` });
    }
    const realm = new URL(parsed.params.realm);
    if (parsed.params.service) realm.searchParams.set("service", parsed.params.service);
    realm.searchParams.set("scope", parsed.params.scope ?? `repository:${context.repository}:pull`);
    let response: Response;
    try {
        response = await context.doFetch(realm, { headers: basic ? { Authorization: basic } : {}, signal: AbortSignal.timeout(context.timeoutMs) });
    } catch (err) {
        throw refused(`cannot reach the token service of ${context.registry} (${describeError(err)})`, { why: `${realm.origin}${realm.pathname}` });
    }
    if (!response.ok) {
        throw refused(`the token service of ${context.registry} refused a pull token for ${context.what} (HTTP ${response.status})`, {
            fix: basic ? "check that the credentials have pull access" : `docker login ${context.registry}, or set PINSTACK_REGISTRY_USERNAME and PINSTACK_REGISTRY_PASSWORD`,
        });
    }
    const body = (await response.json().catch(() => ({}))) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw refused(`the token service of ${context.registry} returned no token`);
    return `Bearer ${token}`;
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

function describeError(err: unknown): string {
    const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
    if (cause?.code) return cause.code;
    if ((err as Error)?.name === "TimeoutError") return "timed out";
    return err instanceof Error ? err.message : String(err);
}
