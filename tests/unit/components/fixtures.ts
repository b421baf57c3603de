import type { PackagePin, Provenance, ServicePin } from "../../../lib/model";

export const digestA = `sha256:${"4c1b".repeat(16)}`;
export const digestB = `sha256:${"9e8d".repeat(16)}`;

export const provenance: Provenance = {
    from: "staging",
    at: "2023-05-02T10:00:00Z",
    by: "release@example.org",
    reason: "release 2023.05.1",
    seal: `sha256:${"ab".repeat(32)}`,
};

/** A valid production-like pin; each test changes what it is about. */
export function servicePin(overrides: Partial<ServicePin> = {}): ServicePin {
    return {
        name: "backend",
        image: "ghcr.io/pinstack-example/backend",
        tag: "2023.05.1",
        digest: digestA,
        scheme: "calver",
        port: 8000,
        strategy: "in-place",
        location: { file: "Pulumi.test.yaml", line: 0, column: 0, key: "pinstack:services.backend" },
        ...overrides,
    };
}

export function packagePin(overrides: Partial<PackagePin> = {}): PackagePin {
    return {
        name: "ukrdc-services",
        version: "10.8.5",
        channel: "release",
        location: { file: "Pulumi.test.yaml", line: 0, column: 0, key: "pinstack:packages.ukrdc-services" },
        ...overrides,
    };
}
