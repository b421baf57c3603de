import { strict as assert } from "assert";
import { evaluateImage, isMutableTag, mutableTagReason } from "../../../../lib/rules";
import { presets } from "../../../../stacks";

/**
 * Issue 20 item 12: branch-like tags (`my-feature-branch`, `release-1.2`) passed in staging
 * sidecars, which have no scheme to refuse them. lib/rules/no-mutable-tags.ts now reads a tag
 * with no digit, or one made from a branch's name, as a moving tag, everywhere it reads tags.
 */

const BRANCH_LIKE: readonly [string, RegExp][] = [
    ["my-feature-branch", /names no version or build/],
    ["bookworm-slim", /names no version or build/],
    ["alpine", /names no version or build/],
    ["feature-login", /names no version or build/],
    ["release-1.2", /names a branch \(release-…\)/],
    ["release-2023.06", /names a branch \(release-…\)/],
    ["feature-1234-login", /names a branch \(feature-…\)/],
    ["hotfix-2", /names a branch \(hotfix-…\)/],
    ["pr-42", /names a branch \(pr-…\)/],
    ["main-2", /names a branch \(main-…\)/],
];

const BUILDS: readonly string[] = [
    "2023.06.1",
    "1.25.3-alpine",
    "3.12-slim-bookworm",
    "v2.0.2",
    "15.4-debian-12-r7",
    "a1b2c3d",
    "deadbee",
    "5f0c1a9b7e2d4c6a8b0f1e3d5c7a9b2d4f6e8a0c",
    "main-3f2a9c1",
    // Seven or more hex digits at the end read as the commit of the build, a date as well.
    "develop-20231004",
    "feature-login-3f2a9c1",
    "sha-a1b2c3d",
    "release-2023.06.1",
    "release-v1.2.3",
    "build-42",
    "jammy-20231004",
    "devops-2.1",
];

describe("rule no-mutable-tags: branch-like tags", () => {
    for (const [tag, why] of BRANCH_LIKE) {
        it(`${tag} is branch-like`, () => {
            assert.match(mutableTagReason(tag) ?? "", why);
        });
    }
    for (const tag of BUILDS) {
        it(`${tag} names a build`, () => assert.equal(isMutableTag(tag), false, mutableTagReason(tag)));
    }

    it("staging refuses each as the tag of a sidecar (no scheme), production too; playground only warns", () => {
        for (const [tag] of BRANCH_LIKE) {
            for (const stack of ["staging", "production"] as const) {
                const [violation] = evaluateImage({ reference: `ghcr.io/example/proxy:${tag}`, stack, preset: presets[stack] }).violations.filter((v) => v.rule === "no-mutable-tags");
                assert.equal(violation?.level, "mandatory", `${tag} on ${stack}`);
                assert.match(violation.message, /a mutable tag that can point at a different image tomorrow/);
            }
            const [advisory] = evaluateImage({ reference: `ghcr.io/example/proxy:${tag}`, stack: "playground", preset: presets.playground }).violations;
            assert.equal(advisory?.level, "advisory", tag);
        }
    });
});
