/**
 * A registry that answers whatever the test tells it to: an HTTP server on a loopback address
 * at a free port, for the answers a real registry never gives (a wrong digest, an HTML page,
 * a dripped or endless body, a redirect elsewhere, a token realm elsewhere). Each request is
 * recorded; `stop` closes every connection, so a drip in progress does not keep mocha alive.
 */
import { createHash } from "crypto";
import * as http from "http";
import { AddressInfo } from "net";

export interface RecordedRequest {
    readonly method: string;
    readonly url: string;
    readonly authorization?: string;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface LoopbackServer {
    /** `127.0.0.1:<port>` (or the hostname asked for): the registry part of image names. */
    readonly host: string;
    /** `http://<host>` */
    readonly origin: string;
    readonly requests: RecordedRequest[];
    /** What the next requests get; replaceable between requests. */
    handler: Handler;
    stop(): Promise<void>;
}

export async function startLoopback(handler: Handler, hostname = "127.0.0.1"): Promise<LoopbackServer> {
    const requests: RecordedRequest[] = [];
    const state: { handler: Handler } = { handler };
    const server = http.createServer((req, res) => {
        requests.push({ method: req.method ?? "", url: req.url ?? "", authorization: req.headers.authorization });
        // A client that hangs up mid-body is what several tests expect.
        res.on("error", () => undefined);
        state.handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const host = `${hostname}:${(server.address() as AddressInfo).port}`;
    return {
        host,
        origin: `http://${host}`,
        requests,
        get handler() {
            return state.handler;
        },
        set handler(next: Handler) {
            state.handler = next;
        },
        stop: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}

export interface Manifest {
    readonly bytes: Buffer;
    readonly digest: string;
    readonly mediaType: string;
}

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

/** A small OCI image manifest whose content (and so digest) depends on `content`. */
export function manifestFor(content: string, mediaType = OCI_MANIFEST): Manifest {
    const bytes = Buffer.from(
        JSON.stringify({
            schemaVersion: 2,
            mediaType,
            config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha256(Buffer.from(content)), size: content.length },
            layers: [],
        }),
    );
    return { bytes, digest: sha256(bytes), mediaType };
}

export function sha256(data: Buffer): string {
    return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

/** Answers a manifest GET/HEAD; `claim` is the Docker-Content-Digest sent (null: none). */
export function sendManifest(req: http.IncomingMessage, res: http.ServerResponse, manifest: Manifest, claim: string | null = manifest.digest, contentType = manifest.mediaType): void {
    const headers: Record<string, string> = { "Content-Type": contentType, "Content-Length": String(manifest.bytes.length) };
    if (claim !== null) headers["Docker-Content-Digest"] = claim;
    res.writeHead(200, headers);
    res.end(req.method === "HEAD" ? undefined : manifest.bytes);
}

/**
 * Streams `total` bytes (spaces) with backpressure and no Content-Length; `sent()` tells how
 * many the client took before it hung up.
 */
export function sendEndless(res: http.ServerResponse, total: number, contentType = OCI_MANIFEST): { sent: () => number } {
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    let closed = false;
    res.writeHead(200, { "Content-Type": contentType });
    res.on("close", () => (closed = true));
    const pump = () => {
        while (!closed && sent < total) {
            sent += chunk.length;
            if (!res.write(chunk)) {
                res.once("drain", pump);
                return;
            }
        }
        if (!closed) res.end();
    };
    pump();
    return { sent: () => sent };
}

/** Sends the headers of a manifest, then one byte of its body every `everyMs`. */
export function sendDripped(res: http.ServerResponse, manifest: Manifest, everyMs = 200): void {
    res.writeHead(200, { "Content-Type": manifest.mediaType, "Docker-Content-Digest": manifest.digest, "Content-Length": String(manifest.bytes.length) });
    let at = 0;
    const timer = setInterval(() => {
        if (at >= manifest.bytes.length) {
            clearInterval(timer);
            res.end();
            return;
        }
        res.write(manifest.bytes.subarray(at, at + 1));
        at++;
    }, everyMs);
    res.on("close", () => clearInterval(timer));
}

/**
 * A fetch that reaches `hosts` (name -> loopback origin) at the loopback server instead, as an
 * /etc/hosts entry would: the client still sees and decides on the names and schemes it was
 * given, while the bytes go to a real server. For https names no test can serve.
 */
export function fetchVia(hosts: Readonly<Record<string, string>>, seen: URL[] = []): typeof fetch {
    return ((input: string | URL | Request, init?: RequestInit) => {
        const url = new URL(typeof input === "string" || input instanceof URL ? input.toString() : input.url);
        seen.push(new URL(url.toString()));
        const target = hosts[url.host];
        if (!target) return Promise.reject(new TypeError(`fetch failed: no route to ${url.host} in this test`));
        const routed = new URL(`${url.pathname}${url.search}`, target);
        return fetch(routed, init);
    }) as typeof fetch;
}
