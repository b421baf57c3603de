/**
 * Bounded HTTP for the registry client: one deadline for everything a resolution asks, bodies
 * read as a stream and dropped past a size limit, and redirects followed only within the origin
 * that was asked. What went wrong comes back as a RequestFailure; the client words the refusal,
 * since only it knows which image and registry the request was for.
 */

export type FailureKind = "timeout" | "unreachable" | "too-large" | "redirect-elsewhere" | "too-many-redirects";

export class RequestFailure extends Error {
    constructor(
        readonly kind: FailureKind,
        readonly detail: string,
    ) {
        super(`${kind}: ${detail}`);
        this.name = "RequestFailure";
    }
}

/** A time budget shared by the requests of one resolution; `signal` aborts headers and bodies alike. */
export interface Deadline {
    readonly ms: number;
    readonly signal: AbortSignal;
    /** Stops the timer (the process must not wait for it). */
    clear(): void;
}

export function deadline(ms: number): Deadline {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new RequestFailure("timeout", `no complete answer within ${formatSeconds(ms)}`)), ms);
    timer.unref();
    return { ms, signal: controller.signal, clear: () => clearTimeout(timer) };
}

const MAX_REDIRECTS = 5;

/**
 * fetch with `redirect: "manual"`: a 3xx to the same origin (scheme, host and port) is followed
 * with the same headers, anything else is a RequestFailure. Credentials are for the origin they
 * were given to, and an answer from another host is not the registry's answer.
 */
export async function fetchWithinOrigin(
    doFetch: typeof fetch,
    url: string,
    init: { method: string; headers: Record<string, string> },
    limit: Deadline,
    options: { readonly contentAddressed?: boolean } = {},
): Promise<Response> {
    let current = new URL(url);
    let headers = init.headers;
    for (let hop = 0; ; hop++) {
        const response = await guarded(limit, () => doFetch(current, { ...init, headers, redirect: "manual", signal: limit.signal }));
        if (response.status < 300 || response.status > 399 || response.status === 304) return response;
        await discard(response);
        const location = response.headers.get("location");
        if (!location) return response;
        const next = new URL(location, current);
        if (next.origin !== current.origin) {
            // A blob is checked against its digest, so its bytes may come from the registry's
            // storage host (ghcr.io, ECR and Docker Hub redirect there) — over https, and
            // without the credentials, which are the registry's only.
            if (!options.contentAddressed || next.protocol !== "https:") throw new RequestFailure("redirect-elsewhere", `${current.origin} redirected to ${next.origin}`);
            headers = {};
        }
        if (hop + 1 >= MAX_REDIRECTS) throw new RequestFailure("too-many-redirects", `more than ${MAX_REDIRECTS} redirects from ${url}`);
        current = next;
    }
}

/**
 * The body, read chunk by chunk and abandoned as soon as it passes `maxBytes` (a declared
 * Content-Length over the limit is refused before reading anything), so a huge or endless body
 * costs at most the limit in memory.
 */
export async function readLimited(response: Response, maxBytes: number, limit: Deadline): Promise<Buffer> {
    const declared = Number(response.headers.get("content-length") ?? NaN);
    if (Number.isFinite(declared) && declared > maxBytes) {
        await discard(response);
        throw new RequestFailure("too-large", `Content-Length ${declared} bytes`);
    }
    if (!response.body) return Buffer.alloc(0);
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
        for (;;) {
            const { done, value } = await guarded(limit, () => reader.read());
            if (done) break;
            size += value.byteLength;
            if (size > maxBytes) throw new RequestFailure("too-large", `more than ${maxBytes} bytes`);
            chunks.push(value);
        }
    } catch (err) {
        await reader.cancel().catch(() => undefined);
        throw err;
    }
    return Buffer.concat(chunks);
}

/** Drops a body not needed (a 401's, a redirect's), so its connection is freed. */
export async function discard(response: Response): Promise<void> {
    await response.body?.cancel().catch(() => undefined);
}

/** Network errors and the deadline's abort as RequestFailures; anything else passes through. */
async function guarded<T>(limit: Deadline, run: () => Promise<T>): Promise<T> {
    try {
        return await run();
    } catch (err) {
        if (limit.signal.aborted) throw limit.signal.reason instanceof RequestFailure ? limit.signal.reason : new RequestFailure("timeout", `no complete answer within ${formatSeconds(limit.ms)}`);
        if (err instanceof RequestFailure) throw err;
        throw new RequestFailure("unreachable", describeError(err));
    }
}

function describeError(err: unknown): string {
    const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
    if (cause?.code) return cause.code;
    return err instanceof Error ? err.message : String(err);
}

export function formatSeconds(ms: number): string {
    return `${Number((ms / 1000).toFixed(1))} s`;
}
