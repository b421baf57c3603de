import { strict as assert } from "assert";
import { prereleaseMarker } from "../../../../lib/schemes";
import { evaluateImage } from "../../../../lib/rules";
import { presets } from "../../../../stacks";

/**
 * Issue 20 item 3: the prerelease markers of lib/schemes/prerelease.ts against real-world tags.
 * Release candidates that semver and PEP 440 did not parse reached production as sidecars; tags
 * that are image variants, builds or commits must keep passing.
 */

/** Prerelease tags as projects publish them, with the marker expected. */
const PRERELEASES: readonly [string, string][] = [
    // The tags of the issue: calver with a zero-padded month, a `v` prefix, dotted markers.
    ["2023.06.1-rc1", "rc"],
    ["2023.06.1rc1", "rc"],
    ["2023.06.1.dev1", "dev"],
    ["v1.2rc1", "rc"],
    ["v1.4.0.rc1", "rc"],
    ["1.0.0-SNAPSHOT", "SNAPSHOT"],
    ["2.0b1", "b"],
    ["1.0a2", "a"],
    // Semver and PEP 440 spellings.
    ["1.4.2-rc.1", "rc"],
    ["10.8.5.RC1", "RC"],
    ["10.8.5-rc.1", "rc"],
    ["1.0.0-alpha", "alpha"],
    ["1.0.0-alpha.beta", "alpha"],
    ["1.0.0-beta.11", "beta"],
    ["v2.0.0-beta", "beta"],
    ["1.2.3.dev0", "dev"],
    ["1.2.3-dev", "dev"],
    ["1.0c1", "c"],
    ["1.0.0-pre", "pre"],
    ["1.0.0-pre.2", "pre"],
    ["4.0.0_rc_2", "rc"],
    // Published images.
    ["3.13.0b1-slim", "b"],
    ["3.12.0rc2-bookworm", "rc"],
    ["1.22rc1", "rc"],
    ["1.22rc1-alpine", "rc"],
    ["16beta2", "beta"],
    ["7.2-rc-alpine", "rc"],
    ["7.0-rc0", "rc"],
    ["8.0-preview", "preview"],
    ["8.0.100-preview.7-bookworm-slim", "preview"],
    ["5.0.0-M1", "M"],
    ["21-ea", "ea"],
    ["2.0.0-canary.4", "canary"],
    ["1.3.0-nightly", "nightly"],
    ["3.12-dev", "dev"],
    ["0.9.0-Alpha1", "Alpha"],
    ["1.0.0-exp.sha.5114f85", "exp"],
    ["1.0.0-prerelease", "prerelease"],
    ["v3.0.0-RC1", "RC"],
];

/** Release, variant and build tags that are no prerelease. */
const RELEASES: readonly string[] = [
    "1.25.3-alpine",
    "1.25.3-alpine3.18",
    "3.12-slim-bookworm",
    "3.12.1-slim",
    "2023.06.1",
    "2023.06.12",
    "v2.0.2",
    "1.27.0-bookworm",
    "1.27.0-perl",
    "15.4-debian-12-r7",
    "15.4.0-debian-12-r7",
    "8.3-fpm-alpine",
    "3.12-management-alpine",
    "21-jre",
    "21.0.1_12-jdk-jammy",
    "jammy-20231004",
    "1.36.1-uclibc",
    "10.8.5",
    "10.8.5.post1",
    "1.2.3-1",
    "2.4.57-r0",
    "20.10.0-bullseye",
    "12.2.0-cudnn8-devel-ubuntu22.04",
    "v1.28.0-distroless",
    "0.0.1",
    "1.0.0-x.7.z.92",
    // Commit hashes, also right after a version.
    "a1b2c3d",
    "abc1234",
    "deadbee",
    "5f0c1a9b7e2d4c6a8b0f1e3d5c7a9b2d4f6e8a0c",
    "1.2.3-a1b2c3d",
    "v1.2.3-c0ffee1",
    "sha-a1b2c3d",
    // Words that only contain a marker.
    "predator",
    "devops-2.1",
    "precise-1.0",
    "alphabet-3",
    "src-1.0",
    "devel-1.2",
    "release-2023.06.1",
];

describe("prerelease markers (lib/schemes/prerelease.ts): a corpus of real-world tags", () => {
    for (const [tag, marker] of PRERELEASES) {
        it(`${tag} is a prerelease (${marker})`, () => {
            assert.equal(prereleaseMarker(tag)?.marker, marker);
        });
    }
    for (const tag of RELEASES) {
        it(`${tag} is not a prerelease`, () => {
            assert.equal(prereleaseMarker(tag), undefined);
        });
    }

    it("production refuses each prerelease as the tag of an image with no scheme (a sidecar), and passes each release", () => {
        const digest = `sha256:${"a".repeat(64)}`;
        const rulesOf = (tag: string) => evaluateImage({ reference: `ghcr.io/example/proxy:${tag}@${digest}`, stack: "production", preset: presets.production }).violations.map((v) => v.rule);
        for (const [tag] of PRERELEASES) assert.ok(rulesOf(tag).includes("no-prereleases"), tag);
        for (const tag of RELEASES) assert.ok(!rulesOf(tag).includes("no-prereleases"), tag);
    });

    it("names the release the candidate leads to", () => {
        const digest = `sha256:${"a".repeat(64)}`;
        const message = (tag: string) => evaluateImage({ reference: `ghcr.io/example/proxy:${tag}@${digest}`, stack: "production", preset: presets.production }).violations.find((v) => v.rule === "no-prereleases")?.message ?? "";
        assert.match(message("2023.06.1rc1"), /promote 2023\.06\.1 once it is tagged/);
        assert.match(message("v1.2rc1"), /promote v1\.2 once it is tagged/);
        assert.match(message("v1.4.0.rc1"), /promote v1\.4\.0 once it is tagged/);
        assert.match(message("1.0.0-SNAPSHOT"), /promote 1\.0\.0 once it is tagged/);
    });

    it("staging takes them all", () => {
        for (const [tag] of PRERELEASES) {
            const rules = evaluateImage({ reference: `ghcr.io/example/proxy:${tag}`, stack: "staging", preset: presets.staging }).violations.map((v) => v.rule);
            assert.ok(!rules.includes("no-prereleases"), tag);
        }
    });
});
