/** Stack files for the CLI tests: small, valid, each test changes one line. */
import type { Provenance } from "../../lib/model";
import { packageSubject, sealProvenance, serviceSubject } from "../../lib/provenance";

export const DIGEST = `sha256:${"4c1b".repeat(16)}`;

export const PROJECT = `name: pinstack
runtime: nodejs
`;

export const STAGING = `# staging for the CLI tests
config:
  pinstack:environment: staging
  pinstack:namespace: staging
  app:token:
    secure: v1:TOPSECRETCIPHERTEXT
  pinstack:services:
    backend:
      image: ghcr.io/example/backend
      tag: 2023.05.1
      scheme: calver
      port: 8000
    api:
      image: ghcr.io/example/api
      tag: 1.4.2
      scheme: semver
  pinstack:packages:
    ukrdc-services:
      version: 10.8.5rc1
      channel: staging
`;

export const PLAYGROUND = `config:
  pinstack:environment: playground
  pinstack:services:
    backend:
      image: ghcr.io/example/backend
      tag: 2023.06.1
      scheme: calver
    api:
      image: ghcr.io/example/api
      tag: 1.5.0-rc.1
      scheme: semver
  pinstack:packages:
    ukrdc-services: 10.8.5rc2
`;

const PROMOTED = { from: "staging", at: "2023-05-02T09:30:00Z", by: "release-manager@example.org", reason: "soaked in staging" };

/** `provenance:` of a pin promoted from staging, sealed for it, at `indent`. */
function provenanceYaml(p: Provenance, indent: string): string {
    return [`provenance:`, `  from: ${p.from}`, `  at: "${p.at}"`, `  by: ${p.by}`, `  reason: ${p.reason}`, `  seal: ${p.seal}`].map((line) => indent + line).join("\n");
}

const serviceProvenance = (name: string, image: string, tag: string) => provenanceYaml(sealProvenance(serviceSubject({ name, image, tag, digest: DIGEST }), PROMOTED), "      ");

/**
 * Production as it is meant to be: its registries listed, digests pinned, every pin promoted
 * from staging (sealed provenance), no rule lowered — a stack file may only tighten its floor.
 */
export const PRODUCTION = `config:
  pinstack:environment: production
  pinstack:preset:
    registries: [ ghcr.io/example ]
  pinstack:services:
    backend:
      image: ghcr.io/example/backend
      tag: 2023.04.2
      digest: ${DIGEST}
      scheme: calver
${serviceProvenance("backend", "ghcr.io/example/backend", "2023.04.2")}
    api:
      image: ghcr.io/example/api
      tag: 1.4.1
      digest: ${DIGEST}
      scheme: semver
${serviceProvenance("api", "ghcr.io/example/api", "1.4.1")}
  pinstack:packages:
    ukrdc-services:
      version: 10.8.4
${provenanceYaml(sealProvenance(packageSubject({ name: "ukrdc-services", version: "10.8.4" }), PROMOTED), "      ")}
`;

/** A project with three valid stacks. */
export function threeStacks(): Record<string, string> {
    return { "Pulumi.yaml": PROJECT, "Pulumi.playground.yaml": PLAYGROUND, "Pulumi.staging.yaml": STAGING, "Pulumi.production.yaml": PRODUCTION };
}
