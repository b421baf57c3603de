/** Stack files for the CLI tests: small, valid, each test changes one line. */

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

export const PRODUCTION = `config:
  pinstack:environment: production
  pinstack:services:
    backend:
      image: ghcr.io/example/backend
      tag: 2023.04.2
      digest: ${DIGEST}
      scheme: calver
    api:
      image: ghcr.io/example/api
      tag: 1.4.1
      digest: ${DIGEST}
      scheme: semver
  pinstack:packages:
    ukrdc-services: 10.8.4
  pinstack:preset:
    levels:
      provenance: advisory
`;

/** A project with three valid stacks; production's typed-in pins are only advisory there. */
export function threeStacks(): Record<string, string> {
    return { "Pulumi.yaml": PROJECT, "Pulumi.playground.yaml": PLAYGROUND, "Pulumi.staging.yaml": STAGING, "Pulumi.production.yaml": PRODUCTION };
}
