import { parseStackConfig } from "../../../../lib/config";
import type { ExtraContainer, StackConfig } from "../../../../lib/model";
import { sealProvenance, serviceSubject, packageSubject } from "../../../../lib/provenance";

export const DIGEST = `sha256:${"4c1b".repeat(16)}`;
export const OTHER_DIGEST = `sha256:${"9e8d".repeat(16)}`;

/** A stack config from plain objects, as the Pulumi program would pass them. */
export function makeStack(environment: string, config: Record<string, unknown> = {}, stack = environment): StackConfig {
    return parseStackConfig(stack, `Pulumi.${stack}.yaml`, { "pinstack:environment": environment, ...config });
}

/** A service entry with a sealed provenance from `from`, as `pinstack promote` would write it. */
export function promotedService(
    name: string,
    service: { image: string; tag?: string; digest?: string; scheme?: string; initContainers?: ExtraContainer[]; sidecars?: ExtraContainer[] },
    from = "staging",
) {
    const provenance = sealProvenance(serviceSubject({ name, ...service }), { from, at: "2026-11-20T10:00:00Z", by: "ana@example.org", reason: "release 2023.05.1" });
    return { ...service, provenance };
}

/** A package entry with a sealed provenance from `from`. */
export function promotedPackage(name: string, version: string, from = "staging") {
    return { version, channel: "release", provenance: sealProvenance(packageSubject({ name, version }), { from, at: "2026-11-20T10:00:00Z", by: "ana@example.org", reason: "release" }) };
}

/** A production stack that passes every rule; tests change one thing at a time. */
export function goodProduction(overrides: Record<string, unknown> = {}): StackConfig {
    return makeStack("production", {
        "pinstack:services": {
            backend: promotedService("backend", { image: "ghcr.io/example/backend", tag: "2023.05.1", digest: DIGEST, scheme: "calver" }),
        },
        "pinstack:packages": { "ukrdc-services": promotedPackage("ukrdc-services", "10.8.5") },
        ...overrides,
    });
}
