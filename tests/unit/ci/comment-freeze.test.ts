import { strict as assert } from "assert";
import { parsePreview, reviewChanges, renderComment } from "../../../lib/ci";
import { DIGEST_A, DIGEST_B, readFixture, stackFromYaml, stackYaml } from "./helpers";

const base = stackFromYaml("production", stackYaml({ environment: "production", tag: "2023.04.2", digest: DIGEST_A, version: "10.8.4" }));
const head = stackFromYaml("production", stackYaml({ environment: "production", tag: "2023.05.1", digest: DIGEST_B, version: "10.8.4" }));
const render = (freeze?: { frozen?: string; breakGlass: string[] }) =>
    renderComment({
        stack: "production",
        pinChanges: reviewChanges(base, head),
        preview: parsePreview(readFixture("preview/production-events.jsonl"), "production-events.jsonl"),
        base: { ref: "origin/main", stackFileExisted: true },
        ...(freeze ? { freeze } : {}),
    });

describe("lib/ci: the pull request comment under a freeze", () => {
    it("says the stack is frozen, and which pins break the glass, before anything else", () => {
        const text = render({ frozen: "freeze window 'Fri 16:00 - Mon 08:00 Europe/London', until 2026-12-14T08:00:00Z", breakGlass: ["service backend promoted through Fri 16:00 - Mon 08:00 Europe/London by ana@example.org: CVE hotfix"] });
        const lines = text.split("\n");
        assert.equal(lines[1], "### pinstack preview: `production`");
        assert.equal(lines[3], "> **Frozen:** freeze window 'Fri 16:00 - Mon 08:00 Europe/London', until 2026-12-14T08:00:00Z. Only rollbacks pass, or a promotion with `--break-glass`.");
        assert.equal(lines[5], "> **Break-glass:** service backend promoted through Fri 16:00 - Mon 08:00 Europe/London by ana@example.org: CVE hotfix");
        assert.match(lines[7], /^\*\*1 pin change\*\*/);
    });

    it("adds nothing when the stack is not frozen and no pin broke the glass", () => {
        assert.equal(render({ breakGlass: [] }), render());
        assert.doesNotMatch(render(), /Frozen|Break-glass/);
    });
});
