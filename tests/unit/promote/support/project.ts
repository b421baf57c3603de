import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Provenance } from "../../../../lib/model";
import { packageSubject, sealProvenance, serviceSubject } from "../../../../lib/provenance";
import type { Environment } from "../../../../lib/promote";
import type { StackUpdate } from "../../../../lib/pulumi-cli";
import type { DigestResolver } from "../../../../lib/registry";

/** Digests used by the fixtures: `digest("a")` is sha256:aaaa... */
export function digest(ch: string): string {
    return `sha256:${ch.repeat(64)}`;
}

export const BACKEND = "ghcr.io/example/backend";
export const FRONTEND = "ghcr.io/example/frontend";

/** The fixture images on another registry (a local one for the process tests); seals are made for these names. */
export function images(registry = "ghcr.io"): { BACKEND: string; FRONTEND: string } {
    return { BACKEND: `${registry}/example/backend`, FRONTEND: `${registry}/example/frontend` };
}

function sealedService(name: string, image: string, tag: string, d: string | undefined, from: string): Provenance {
    return sealProvenance(serviceSubject({ name, image, tag, digest: d }), { from, at: "2023-05-02T09:30:00Z", by: "release-manager@example.org", reason: `${tag} soaked in ${from}` });
}

function sealedPackage(name: string, version: string, from: string): Provenance {
    return sealProvenance(packageSubject({ name, version }), { from, at: "2023-05-02T09:30:00Z", by: "release-manager@example.org", reason: `${version} tested` });
}

function provenanceYaml(p: Provenance, indent: string): string {
    return [`${indent}provenance:`, `${indent}  from: ${p.from}`, `${indent}  at: "${p.at}"`, `${indent}  by: ${p.by}`, `${indent}  reason: ${p.reason}`, `${indent}  seal: ${p.seal}`].join("\n") + "\n";
}

/** Staging: what gets promoted. Release candidate package (fine here, refused in production). */
export function stagingYaml(options: { backendTag?: string; backendDigest?: string; packageVersion?: string; hold?: boolean; registry?: string } = {}): string {
    const { BACKEND, FRONTEND } = images(options.registry);
    return `# Staging: release candidates allowed.
config:
  pinstack:environment: staging
  pinstack:namespace: staging
  pinstack:services:
    backend:
      image: ${BACKEND}
      tag: ${options.backendTag ?? "2023.05.1"}
${options.backendDigest ? `      digest: ${options.backendDigest}\n` : ""}      scheme: calver
      port: 8000
      commit: 3f9c2a1e7b6d
    frontend:
      image: ${FRONTEND}
      tag: 2023.05.4
      scheme: calver
      port: 8080
  pinstack:packages:
    ukrdc-services:
      version: ${options.packageVersion ?? "10.8.5"}
      channel: staging
${options.hold ? "  pinstack:hold: true\n" : ""}`;
}

/** Production: its registries, digests, provenance from staging, 60 minutes of soak; frontend blue-green. */
export function productionYaml(options: { hold?: boolean; soakMinutes?: number; registry?: string } = {}): string {
    const { BACKEND, FRONTEND } = images(options.registry);
    const backendDigest = digest("4");
    const frontendDigest = digest("9");
    return `# Production: pins change only through \`pinstack promote staging production\`.
config:
  pinstack:environment: production
  pinstack:namespace: production
  pinstack:preset:
    registries: [ ${options.registry ?? "ghcr.io"}/example ] # production lists where its images come from
${options.soakMinutes !== undefined ? `    soakMinutes: ${options.soakMinutes}\n` : ""}  pinstack:services:
    backend:
      image: ${BACKEND}
      tag: 2023.04.2          # calver YYYY.MM.N
      digest: ${backendDigest}
      scheme: calver
      port: 8000
      commit: 0a1b2c3d4e5f
${provenanceYaml(sealedService("backend", BACKEND, "2023.04.2", backendDigest, "staging"), "      ")}    frontend:
      image: ${FRONTEND}
      tag: 2023.04.3
      digest: ${frontendDigest}
      scheme: calver
      port: 8080
      strategy: blue-green
      activeColor: blue
      previous:
        tag: 2023.03.1
        digest: ${digest("1")}
${provenanceYaml(sealedService("frontend", FRONTEND, "2023.04.3", frontendDigest, "staging"), "      ")}  pinstack:packages:
    ukrdc-services:
      version: 10.8.4
      channel: release
${provenanceYaml(sealedPackage("ukrdc-services", "10.8.4", "staging"), "      ")}${options.hold ? "  pinstack:hold: true\n  pinstack:holdReason: incident 940\n" : ""}`;
}

export const PULUMI_YAML = "name: pinstack\nruntime: nodejs\n";

/** A temporary project with the given stack files. */
export function project(files: Record<string, string>): { dir: string; read(name: string): string; write(name: string, text: string): void; remove(): void } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinstack-promote-"));
    const write = (name: string, text: string) => {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), text);
    };
    write("Pulumi.yaml", PULUMI_YAML);
    for (const [name, text] of Object.entries(files)) write(name, text);
    return { dir, read: (name) => fs.readFileSync(path.join(dir, name), "utf8"), write, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export interface UpdateSpec {
    readonly version?: number;
    readonly kind?: string;
    readonly result?: string;
    /** Minutes before `now` the update started; it ends a minute later. */
    readonly minutesAgo: number;
    readonly services?: Record<string, Record<string, unknown>>;
    readonly packages?: Record<string, unknown>;
    readonly hold?: boolean;
    readonly message?: string;
}

/** A `pulumi stack history` entry as the CLI prints it (config recorded per update). */
export function update(spec: UpdateSpec, now: Date): StackUpdate {
    const start = new Date(now.getTime() - spec.minutesAgo * 60_000);
    const end = new Date(start.getTime() + 60_000);
    const config: Record<string, { value?: string; objectValue?: unknown; secret: boolean }> = {
        "pinstack:environment": { value: "staging", secret: false },
    };
    if (spec.services) config["pinstack:services"] = { value: JSON.stringify(spec.services), objectValue: spec.services, secret: false };
    if (spec.packages) config["pinstack:packages"] = { value: JSON.stringify(spec.packages), objectValue: spec.packages, secret: false };
    if (spec.hold !== undefined) config["pinstack:hold"] = { value: String(spec.hold), secret: false };
    return {
        version: spec.version ?? 0,
        kind: spec.kind ?? "update",
        result: spec.result ?? "succeeded",
        startTime: start.toISOString(),
        endTime: end.toISOString(),
        message: spec.message ?? "",
        environment: {},
        config,
    };
}

/** Updates newest first, numbered oldest = 1 when not given. */
export function history(specs: readonly UpdateSpec[], now: Date): StackUpdate[] {
    const sorted = [...specs].sort((a, b) => a.minutesAgo - b.minutesAgo);
    return sorted.map((spec, i) => update({ ...spec, version: spec.version ?? sorted.length - i }, now));
}

export const NOW = new Date("2023-06-30T12:00:00Z");

/** Staging's current pins as deployed, for the fake history. */
export function stagingPins(options: { backendTag?: string; backendDigest?: string } = {}): Record<string, Record<string, unknown>> {
    return {
        backend: { image: BACKEND, tag: options.backendTag ?? "2023.05.1", ...(options.backendDigest ? { digest: options.backendDigest } : {}), scheme: "calver", port: 8000 },
        frontend: { image: FRONTEND, tag: "2023.05.4", scheme: "calver", port: 8080 },
    };
}

export function environment(dir: string, histories: Record<string, StackUpdate[] | Error>, now = NOW): Environment & { asked: string[] } {
    const asked: string[] = [];
    return {
        dir,
        now,
        by: "ada@example.org",
        asked,
        history: (stack) => {
            asked.push(stack);
            const h = histories[stack];
            if (h instanceof Error) throw h;
            return h ?? [];
        },
    };
}

/** A registry stand-in: tag -> digest, recording what was asked. */
export function fakeRegistry(digests: Record<string, string>): DigestResolver & { asked: string[] } {
    const asked: string[] = [];
    const resolver = (async (image: string, tag: string) => {
        asked.push(`${image}:${tag}`);
        const d = digests[`${image}:${tag}`];
        if (!d) throw Object.assign(new Error(`no ${image}:${tag}`), {});
        return { digest: d, mediaType: "application/vnd.oci.image.manifest.v1+json", url: `https://example/${image}/${tag}` };
    }) as DigestResolver & { asked: string[] };
    resolver.asked = asked;
    return resolver;
}
