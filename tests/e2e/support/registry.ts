/**
 * A real OCI registry for tests: Debian's `docker-registry` (distribution/distribution 2.8),
 * started on 127.0.0.1 at a free port with storage in a temporary directory. Images are
 * pushed with the registry HTTP API itself (blob uploads + manifest PUT), so the tests need
 * neither docker nor skopeo. scripts/install-test-deps installs the package; when the binary
 * is missing startRegistry throws, so the tests fail instead of silently skipping.
 */
import { ChildProcess, spawn } from "child_process";
import { createHash, randomBytes } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

/** bcrypt (cost 4) of TEST_PASSWORD, made once with libxcrypt; the registry's htpasswd accepts only bcrypt. */
export const TEST_USER = "pinstack";
export const TEST_PASSWORD = "s3cret";
const TEST_PASSWORD_BCRYPT = "$2b$04$dYR2MtP3wkI9.lHkKLEbgeRbH2dft8yFK.wKk1XQSufcb/vWns9kG";

export interface RunningRegistry {
    /** `127.0.0.1:<port>`: the registry part of image names. */
    readonly host: string;
    readonly storage: string;
    /** Authorization header to push with (Basic), when the registry has auth. */
    readonly authorization?: string;
    stop(): Promise<void>;
}

export function registryBinary(): string {
    const candidates = [...(process.env.PATH ?? "").split(path.delimiter).map((d) => path.join(d, "docker-registry")), "/usr/bin/docker-registry"];
    const found = candidates.find((c) => fs.existsSync(c));
    if (!found) {
        throw new Error("docker-registry is not installed: run scripts/install-test-deps (apt-get install docker-registry); the registry tests need a real registry");
    }
    return found;
}

export async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.unref();
        server.on("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as net.AddressInfo).port;
            server.close(() => resolve(port));
        });
    });
}

/** Starts a registry; `basicAuth` protects it with htpasswd (user TEST_USER, password TEST_PASSWORD). */
export async function startRegistry(options: { basicAuth?: boolean } = {}): Promise<RunningRegistry> {
    const binary = registryBinary();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinstack-registry-"));
    const storage = path.join(dir, "storage");
    fs.mkdirSync(storage);
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    const lines = [
        "version: 0.1",
        "log:",
        "  level: error",
        "  accesslog:",
        "    disabled: true",
        "storage:",
        "  filesystem:",
        `    rootdirectory: ${storage}`,
        "  delete:",
        "    enabled: true",
        "http:",
        `  addr: ${host}`,
        `  secret: ${randomBytes(16).toString("hex")}`,
    ];
    if (options.basicAuth) {
        fs.writeFileSync(path.join(dir, "htpasswd"), `${TEST_USER}:${TEST_PASSWORD_BCRYPT}\n`);
        lines.push("auth:", "  htpasswd:", "    realm: pinstack-test", `    path: ${path.join(dir, "htpasswd")}`);
    }
    fs.writeFileSync(path.join(dir, "config.yml"), lines.join("\n") + "\n");
    const child: ChildProcess = spawn(binary, ["serve", path.join(dir, "config.yml")], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (chunk) => (stderr += String(chunk)));
    const authorization = options.basicAuth ? `Basic ${Buffer.from(`${TEST_USER}:${TEST_PASSWORD}`).toString("base64")}` : undefined;
    const deadline = Date.now() + 20_000;
    for (;;) {
        if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}: ${stderr}`);
        try {
            const res = await fetch(`http://${host}/v2/`);
            if (res.status === 200 || res.status === 401) break;
        } catch {
            // not listening yet
        }
        if (Date.now() > deadline) {
            child.kill();
            throw new Error(`docker-registry did not start on ${host}: ${stderr}`);
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    return {
        host,
        storage,
        authorization,
        stop: async () => {
            if (child.exitCode === null) {
                const exited = new Promise((r) => child.once("exit", r));
                child.kill("SIGTERM");
                await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
                if (child.exitCode === null) child.kill("SIGKILL");
            }
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}

function sha256(data: Buffer): string {
    return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

async function ok(res: Response, what: string): Promise<Response> {
    if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
    return res;
}

/** Uploads a blob (monolithic upload: POST then PUT with the digest); returns its descriptor. */
export async function pushBlob(registry: RunningRegistry, repository: string, data: Buffer, mediaType: string): Promise<{ mediaType: string; digest: string; size: number }> {
    const auth: Record<string, string> = registry.authorization ? { Authorization: registry.authorization } : {};
    const digest = sha256(data);
    const start = await ok(await fetch(`http://${registry.host}/v2/${repository}/blobs/uploads/`, { method: "POST", headers: auth }), `start upload to ${repository}`);
    const location = new URL(start.headers.get("location") as string, `http://${registry.host}`);
    location.searchParams.set("digest", digest);
    await ok(
        await fetch(location, { method: "PUT", headers: { ...auth, "Content-Type": "application/octet-stream", "Content-Length": String(data.length) }, body: data }),
        `upload blob to ${repository}`,
    );
    return { mediaType, digest, size: data.length };
}

/** PUTs a manifest under `reference` (a tag); returns the digest the registry reports. */
export async function putManifest(registry: RunningRegistry, repository: string, reference: string, manifest: object, mediaType: string): Promise<string> {
    const auth: Record<string, string> = registry.authorization ? { Authorization: registry.authorization } : {};
    const body = Buffer.from(JSON.stringify(manifest));
    const res = await ok(
        await fetch(`http://${registry.host}/v2/${repository}/manifests/${reference}`, { method: "PUT", headers: { ...auth, "Content-Type": mediaType }, body }),
        `put manifest ${repository}:${reference}`,
    );
    const digest = res.headers.get("docker-content-digest") ?? sha256(body);
    if (digest !== sha256(body)) throw new Error(`registry digest ${digest} differs from the manifest's own ${sha256(body)}`);
    return digest;
}

/**
 * Pushes a one-layer image whose content depends on `content`, tagged `tag`. `format`
 * picks the manifest type: an OCI image manifest, a Docker v2 manifest, or an OCI index
 * (multi-arch) over one OCI manifest. Returns the digest the tag now names.
 */
export async function pushImage(registry: RunningRegistry, repository: string, tag: string, content: string, format: "oci" | "docker" | "oci-index" = "oci"): Promise<string> {
    const docker = format === "docker";
    const layer = await pushBlob(registry, repository, Buffer.from(`layer of ${repository}:${content}\n`), docker ? "application/vnd.docker.image.rootfs.diff.tar.gzip" : "application/vnd.oci.image.layer.v1.tar");
    const config = await pushBlob(
        registry,
        repository,
        Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", config: { Labels: { content } }, rootfs: { type: "layers", diff_ids: [layer.digest] } })),
        docker ? "application/vnd.docker.container.image.v1+json" : "application/vnd.oci.image.config.v1+json",
    );
    const manifestType = docker ? "application/vnd.docker.distribution.manifest.v2+json" : "application/vnd.oci.image.manifest.v1+json";
    const manifest = { schemaVersion: 2, mediaType: manifestType, config, layers: [layer] };
    if (format !== "oci-index") return putManifest(registry, repository, tag, manifest, manifestType);
    const manifestDigest = await putManifest(registry, repository, `${tag}-amd64`, manifest, manifestType);
    const size = Buffer.byteLength(JSON.stringify(manifest));
    const indexType = "application/vnd.oci.image.index.v1+json";
    const index = { schemaVersion: 2, mediaType: indexType, manifests: [{ mediaType: manifestType, digest: manifestDigest, size, platform: { architecture: "amd64", os: "linux" } }] };
    return putManifest(registry, repository, tag, index, indexType);
}
