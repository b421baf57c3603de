import { strict as assert } from "assert";
import { changedStacks, pathEffect } from "../../../lib/ci";

const STACKS = ["playground", "production", "staging"];

describe("lib/ci: which stacks a change touches", () => {
    it("a stack file change previews that stack only", () => {
        const result = changedStacks(["Pulumi.staging.yaml"], STACKS);
        assert.deepEqual(result.stacks, ["staging"]);
        assert.deepEqual(result.reasons, { staging: ["Pulumi.staging.yaml"] });
    });

    it("two stack files: both stacks, sorted", () => {
        assert.deepEqual(changedStacks(["Pulumi.staging.yaml", "Pulumi.production.yaml"], STACKS).stacks, ["production", "staging"]);
    });

    it("a stack's policy config previews that stack", () => {
        assert.deepEqual(changedStacks(["policies/config.production.json"], STACKS).stacks, ["production"]);
    });

    it("code changes preview every stack", () => {
        for (const file of ["index.ts", "components/ServiceRelease.ts", "lib/rules/hold.ts", "stacks/production.ts", "policies/index.ts", "Pulumi.yaml", "package.json", "package-lock.json", "scripts/setup", ".github/workflows/pull-request.yml"]) {
            const result = changedStacks([file], STACKS);
            assert.deepEqual(result.stacks, STACKS, file);
            assert.deepEqual(result.reasons.production, [file]);
        }
    });

    it("documentation, tests, benchmarks and examples preview nothing", () => {
        const result = changedStacks(["README.md", "docs/reviewing.md", "tests/unit/ci/comment.test.ts", "bench/run", "examples/merino/Pulumi.stage.yaml", "CHANGES.md", ".github/CODEOWNERS"], STACKS);
        assert.deepEqual(result.stacks, []);
        assert.equal(result.ignored.length, 7);
    });

    it("an unknown path counts as code (previewing too much beats hiding a diff)", () => {
        assert.deepEqual(pathEffect("some/new/thing.ts"), { kind: "all" });
        assert.deepEqual(changedStacks(["Dockerfile"], STACKS).stacks, STACKS);
    });

    it("a deleted stack file is reported as removed, not previewed", () => {
        const result = changedStacks(["Pulumi.qa.yaml", "Pulumi.staging.yaml"], STACKS);
        assert.deepEqual(result.stacks, ["staging"]);
        assert.deepEqual(result.removed, ["qa"]);
    });

    it("stack file plus code: every stack, and the reasons name both paths for that stack", () => {
        const result = changedStacks(["Pulumi.staging.yaml", "lib/ci/comment.ts"], STACKS);
        assert.deepEqual(result.stacks, STACKS);
        assert.deepEqual(result.reasons.staging, ["Pulumi.staging.yaml", "lib/ci/comment.ts"]);
        assert.deepEqual(result.reasons.playground, ["lib/ci/comment.ts"]);
    });

    it("normalises paths: ./ prefixes, backslashes, blank lines, duplicates", () => {
        const result = changedStacks(["./Pulumi.staging.yaml", "Pulumi.staging.yaml", "", "  ", "docs\\guide.md"], STACKS);
        assert.deepEqual(result.reasons, { staging: ["Pulumi.staging.yaml"] });
        assert.deepEqual(result.ignored, ["docs/guide.md"]);
    });

    it("stack files in subdirectories are not this project's stacks", () => {
        assert.deepEqual(pathEffect("examples/gwcelery/Pulumi.playground.yaml"), { kind: "none" });
        assert.deepEqual(pathEffect("other/Pulumi.staging.yaml"), { kind: "all" });
    });

    it("no changes, or no stacks: nothing to preview", () => {
        assert.deepEqual(changedStacks([], STACKS).stacks, []);
        assert.deepEqual(changedStacks(["index.ts"], []).stacks, []);
    });

    it("accepts .yml stack files", () => {
        assert.deepEqual(changedStacks(["Pulumi.staging.yml"], STACKS).stacks, ["staging"]);
    });
});
