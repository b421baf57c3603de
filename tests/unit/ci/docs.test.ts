import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { reviewChanges, parsePreview, renderComment } from "../../../lib/ci";
import { loadStack } from "../../../lib/config";
import { fixtures } from "./helpers";

/**
 * docs/reviewing.md shows a rendered comment. It is the real output for the promotion in
 * tests/fixtures/preview/promotion (base -> head of Pulumi.staging.yaml) and the recorded
 * preview of it, so the documentation cannot drift from what CI posts.
 */
export function exampleComment(): string {
    const promotion = path.join(fixtures, "preview", "promotion");
    const base = loadStack(path.join(promotion, "base"), "staging");
    const head = loadStack(path.join(promotion, "head"), "staging");
    return renderComment({
        stack: "staging",
        pinChanges: reviewChanges(base, head),
        preview: parsePreview(fs.readFileSync(path.join(fixtures, "preview", "recorded", "staging-promotion-events.jsonl"), "utf8"), "preview.json"),
        base: { ref: "origin/main", commit: "4f2a9c1e0b7d5a3c2e1f0a9b8c7d6e5f4a3b2c1d", stackFileExisted: true },
        commit: "9b1c7e2d4f6a8b0c1d2e3f4a5b6c7d8e9f0a1b2c",
    });
}

describe("docs/reviewing.md", () => {
    it("shows exactly the comment pinstack renders for its example promotion", () => {
        const doc = fs.readFileSync(path.resolve(__dirname, "../../../docs/reviewing.md"), "utf8");
        const match = /<!-- example:start -->\n([\s\S]*?)<!-- example:end -->/.exec(doc);
        assert.ok(match, "docs/reviewing.md has no <!-- example:start --> ... <!-- example:end --> block");
        const expected = exampleComment();
        assert.equal(match[1], expected, `docs/reviewing.md is out of date; replace the example block with:\n${expected}`);
    });
});
