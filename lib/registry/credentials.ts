import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** A user name and password (or token) for one registry. Never printed. */
export interface Credentials {
    readonly username: string;
    readonly password: string;
}

/** Finds the credentials for a registry host, or undefined when there are none. */
export type CredentialLookup = (registry: string) => Credentials | undefined;

/**
 * Credentials the way `docker login` leaves them, so no separate login is needed:
 *   1. PINSTACK_REGISTRY_USERNAME + PINSTACK_REGISTRY_PASSWORD, for the host in
 *      PINSTACK_REGISTRY (or for every registry when that is unset; CI jobs talk to one);
 *   2. $DOCKER_CONFIG/config.json (default ~/.docker/config.json): `auths[host].auth`
 *      (base64 user:password) or `username`/`password`; a `credHelpers[host]` or `credsStore`
 *      is asked through its `docker-credential-<name> get`, as docker does.
 */
export function dockerCredentials(env: NodeJS.ProcessEnv = process.env): CredentialLookup {
    return (registry) => fromEnv(registry, env) ?? fromDockerConfig(registry, env);
}

function fromEnv(registry: string, env: NodeJS.ProcessEnv): Credentials | undefined {
    const username = env.PINSTACK_REGISTRY_USERNAME;
    const password = env.PINSTACK_REGISTRY_PASSWORD;
    if (!username || password === undefined) return undefined;
    const only = env.PINSTACK_REGISTRY;
    if (only && normaliseHost(only) !== normaliseHost(registry)) return undefined;
    return { username, password };
}

interface DockerConfig {
    auths?: Record<string, { auth?: string; username?: string; password?: string }>;
    credHelpers?: Record<string, string>;
    credsStore?: string;
}

function fromDockerConfig(registry: string, env: NodeJS.ProcessEnv): Credentials | undefined {
    const file = path.join(env.DOCKER_CONFIG ?? path.join(os.homedir(), ".docker"), "config.json");
    let config: DockerConfig;
    try {
        config = JSON.parse(fs.readFileSync(file, "utf8")) as DockerConfig;
    } catch {
        return undefined;
    }
    const host = normaliseHost(registry);
    const keys = host === "docker.io" ? ["docker.io", "index.docker.io", "registry-1.docker.io"] : [host];
    for (const [key, entry] of Object.entries(config.auths ?? {})) {
        if (!keys.includes(normaliseHost(key)) || !entry) continue;
        if (entry.auth) {
            const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
            const colon = decoded.indexOf(":");
            if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
        }
        if (entry.username && entry.password !== undefined) return { username: entry.username, password: entry.password };
    }
    const helperKey = Object.keys(config.credHelpers ?? {}).find((key) => keys.includes(normaliseHost(key)));
    const helper = helperKey ? config.credHelpers?.[helperKey] : config.credsStore;
    return helper ? fromHelper(helper, helperKey ?? (host === "docker.io" ? "https://index.docker.io/v1/" : host)) : undefined;
}

function fromHelper(helper: string, serverUrl: string): Credentials | undefined {
    if (!/^[A-Za-z0-9_.-]+$/.test(helper)) return undefined;
    const result = spawnSync(`docker-credential-${helper}`, ["get"], { input: serverUrl, encoding: "utf8", timeout: 10_000 });
    if (result.error || result.status !== 0) return undefined;
    try {
        const parsed = JSON.parse(result.stdout) as { Username?: string; Secret?: string };
        return parsed.Username && parsed.Secret !== undefined ? { username: parsed.Username, password: parsed.Secret } : undefined;
    } catch {
        return undefined;
    }
}

/** `https://index.docker.io/v1/` -> `docker.io`; `http://127.0.0.1:5000/` -> `127.0.0.1:5000`. */
export function normaliseHost(key: string): string {
    const host = key.replace(/^[a-z]+:\/\//i, "").replace(/\/.*$/, "").toLowerCase();
    return host === "index.docker.io" || host === "registry-1.docker.io" ? "docker.io" : host;
}
