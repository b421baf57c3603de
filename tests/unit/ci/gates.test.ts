import { strict as assert } from "assert";
import { withGateResults, acceptanceChecklistGate, checklistItems, formatGateResult, GateResult, issueFromApiJson, mergeGateResults, parseGateResult, unruledFailures } from "../../../lib/ci";
import { PinstackError } from "../../../lib/errors";

const IMAGE = "ghcr.io/example/backend";
const tagResult = (outcome: "passed" | "failed", tag = "2023.05.1"): GateResult => ({
    gate: "branch-tag",
    outcome,
    message: "m",
    source: { repository: "/src/backend", tag, commit: "c0ffee", branch: "production", image: IMAGE },
    gates: { productionBranchTags: { [IMAGE]: outcome === "passed" ? [tag] : [] } },
});
const checklist = (outcome: "passed" | "failed"): GateResult => ({ gate: "acceptance-checklist", outcome, message: "m", source: { issue: "#42" }, gates: { acceptanceComplete: outcome === "passed" } });

function badInputAt(fn: () => unknown, key: string, message: RegExp): void {
    assert.throws(fn, (err: unknown) => err instanceof PinstackError && err.exitCode === 2 && err.location?.key === key && message.test(err.message));
}

describe("lib/ci: gate results (the file ci gate commands write and check/promote --gates read)", () => {
    it("round-trips every gate's result through its file", () => {
        const release: GateResult = { gate: "release-branch", outcome: "failed", message: "release has 1 commit", source: { repository: "/app", branch: "release", onto: "master", commit: "a", ontoCommit: "b" }, gates: {} };
        for (const result of [release, tagResult("passed"), tagResult("failed"), checklist("passed"), checklist("failed")]) {
            assert.deepEqual(parseGateResult(formatGateResult(result), "r.json"), result);
        }
    });

    it("refuses a file whose gate values contradict its outcome, or that sets another gate's key", () => {
        const forged = JSON.parse(formatGateResult(checklist("failed")));
        forged.gates.acceptanceComplete = true;
        badInputAt(() => parseGateResult(JSON.stringify(forged), "f.json"), "gates.acceptanceComplete", /^f\.json: gates\.acceptanceComplete: /);
        const smuggled = JSON.parse(formatGateResult(tagResult("passed")));
        smuggled.gates.acceptanceComplete = true;
        badInputAt(() => parseGateResult(JSON.stringify(smuggled), "s.json"), "gates.productionBranchTags", /branch-tag sets only productionBranchTags/);
        const failedWithTag = JSON.parse(formatGateResult(tagResult("failed")));
        failedWithTag.gates.productionBranchTags[IMAGE] = ["2023.05.1"];
        badInputAt(() => parseGateResult(JSON.stringify(failedWithTag), "t.json"), "gates.productionBranchTags", /no tag for failed/);
        badInputAt(() => parseGateResult(JSON.stringify({ ...JSON.parse(formatGateResult(checklist("passed"))), kind: "other" }), "k.json"), "kind", /not a pinstack gate result/);
        badInputAt(() => parseGateResult(JSON.stringify({ ...JSON.parse(formatGateResult(checklist("passed"))), outcome: "maybe" }), "o.json"), "outcome", /passed or failed/);
    });

    it("merges fail closed: a failed tag check of an image wins over a pass, an open checklist over a done one", () => {
        assert.deepEqual(mergeGateResults([tagResult("passed"), tagResult("passed", "2023.04.2")]), { productionBranchTags: { [IMAGE]: ["2023.05.1", "2023.04.2"] } });
        assert.deepEqual(mergeGateResults([tagResult("passed"), tagResult("failed")]), { productionBranchTags: { [IMAGE]: [] } });
        assert.deepEqual(mergeGateResults([tagResult("failed"), tagResult("passed")]), { productionBranchTags: { [IMAGE]: [] } });
        assert.deepEqual(mergeGateResults([checklist("failed"), checklist("passed")]), { acceptanceComplete: false });
        assert.deepEqual(mergeGateResults([]), {});
    });

    it("only the release branch is refused outside the rules", () => {
        const release: GateResult = { gate: "release-branch", outcome: "failed", message: "x", source: {}, gates: {} };
        assert.deepEqual(unruledFailures([release, tagResult("failed"), checklist("failed"), { ...release, outcome: "passed" }]), [release]);
    });
});

describe("lib/ci: the release issue's checklist", () => {
    it("reads GitHub/GitLab task items: -, *, + and numbered, ticked with x or X, CRLF too", () => {
        const items = checklistItems("- [ ] a\r\n* [x] b\r\n+ [X] c\r\n1. [ ] d\r\n2) [x] e\r\n- [] not a box\r\n-[ ] not an item\r\n");
        assert.deepEqual(items.map((i) => [i.text, i.done, i.line]), [["a", false, 1], ["b", true, 2], ["c", true, 3], ["d", false, 4], ["e", true, 5]]);
    });

    it("skips boxes in fenced code and HTML comments, one-line or across lines", () => {
        const text = ["<!--", "- [ ] hidden", "-->", "```md", "- [ ] example", "```", "~~~", "- [ ] tilde example", "~~~", "<!-- x --> - [ ] after a comment", "- [x] real"].join("\n");
        assert.deepEqual(checklistItems(text).map((i) => [i.text, i.line]), [["after a comment", 10], ["real", 11]]);
    });

    it("passes only with at least one box and none open; an issue without boxes fails", () => {
        assert.equal(acceptanceChecklistGate({ text: "- [x] a\n- [x] b\n", issue: "#1" }).outcome, "passed");
        const open = acceptanceChecklistGate({ text: "- [x] a\n- [ ] b\n", issue: "#1" });
        assert.deepEqual([open.outcome, open.message, open.gates], ["failed", "#1: 1 of 2 checklist items open: line 2: b", { acceptanceComplete: false }]);
        assert.match(acceptanceChecklistGate({ text: "no boxes", issue: "#1" }).message, /no checklist items/);
    });

    it("takes GitHub's body or GitLab's description; neither is bad input", () => {
        assert.deepEqual(issueFromApiJson(JSON.stringify({ number: 7, title: "Release", body: "- [x] a", html_url: "https://github.com/o/r/issues/7" }), "i.json"), { text: "- [x] a", issue: "#7 Release", url: "https://github.com/o/r/issues/7" });
        assert.deepEqual(issueFromApiJson(JSON.stringify({ iid: 3, title: "Release", description: "- [ ] a" }), "i.json"), { text: "- [ ] a", issue: "#3 Release" });
        badInputAt(() => issueFromApiJson(JSON.stringify({ title: "x", body: null }), "n.json"), "body", /neither GitHub's "body" nor GitLab's "description"/);
        assert.throws(() => issueFromApiJson("[", "b.json"), /b\.json: not JSON/);
    });
});

describe("lib/ci: gate results in the pack's config", () => {
    it("sets each gate a result was given for, strict; leaves a gate CI did not run as the stack's config has it", () => {
        const config = { "acceptance-checklist": { enforcementLevel: "mandatory" }, "production-branch-tag": { enforcementLevel: "mandatory" } };
        assert.deepEqual(withGateResults(config, { productionBranchTags: { [IMAGE]: [] } }), {
            "acceptance-checklist": { enforcementLevel: "mandatory" },
            "production-branch-tag": { enforcementLevel: "mandatory", productionBranchTags: { [IMAGE]: [] }, strictGates: true },
        });
        assert.deepEqual(withGateResults(config, { acceptanceComplete: false })["acceptance-checklist"], { enforcementLevel: "mandatory", acceptanceComplete: false, strictGates: true });
        assert.deepEqual(withGateResults(config, {}), config);
    });
});
