import { strict as assert } from "assert";
import { formatLoadTestRecord, loadTestVerdict, parseLoadTestLabel, parseLoadTestRecord } from "../../../lib/ci";
import { DIGEST_A, stackFromYaml, stackYaml } from "./helpers";

describe("lib/ci: the load-test label ([load test: abort|skip|warn])", () => {
    it("reads each of the three modes", () => {
        for (const mode of ["abort", "skip", "warn"] as const) {
            assert.deepEqual(parseLoadTestLabel(`Merge pull request #42 from org/feature [load test: ${mode}]`), {
                kind: "label",
                mode,
                label: `[load test: ${mode}]`,
            });
        }
    });

    it("no label means run the load test and warn on failure", () => {
        assert.deepEqual(parseLoadTestLabel("Merge pull request #42 from org/feature\n\nAdd the search endpoint"), { kind: "default", mode: "warn" });
        assert.deepEqual(parseLoadTestLabel(""), { kind: "default", mode: "warn" });
    });

    it("ignores case and spacing, and finds the label in the body of a merge commit", () => {
        assert.equal(label("[Load Test: ABORT]").mode, "abort");
        assert.equal(label("[LOAD TEST:Skip]").mode, "skip");
        assert.equal(label("[ load  test :  warn ]").mode, "warn");
        assert.equal(label("Merge pull request #7\n\nBump the cache size\n[load test: skip]\n").mode, "skip");
    });

    it("accepts the same label twice (subject and body)", () => {
        assert.equal(label("Fix [load test: skip]\n\nsquashed: [Load test: SKIP]").mode, "skip");
    });

    it("reports malformed labels instead of guessing", () => {
        const cases: [string, RegExp][] = [
            ["[load test: abrot]", /unknown mode 'abrot'/],
            ["[load test: ]", /names no mode/],
            ["[load test skip]", /no `:`/],
            ["[load-test: skip]", /spelled `load test`/],
            ["[loadtest: skip]", /spelled `load test`/],
            ["[load testing: warn]", /spelled `load test`/],
            ["Merge #9 [load test: abort", /no closing bracket/],
        ];
        for (const [message, problem] of cases) {
            const parsed = parseLoadTestLabel(message);
            assert.equal(parsed.kind, "malformed", message);
            if (parsed.kind === "malformed") assert.match(parsed.problem, problem, message);
        }
    });

    it("reports conflicting labels as malformed", () => {
        const parsed = parseLoadTestLabel("[load test: skip] and later [load test: abort]");
        assert.equal(parsed.kind, "malformed");
        if (parsed.kind === "malformed") assert.match(parsed.problem, /conflicting labels \(skip, abort\)/);
    });

    it("one malformed label spoils an otherwise valid message", () => {
        assert.equal(parseLoadTestLabel("[load test: skip]\n[load test: skp]").kind, "malformed");
    });
});

function label(message: string) {
    const parsed = parseLoadTestLabel(message);
    assert.equal(parsed.kind, "label", message);
    return parsed as { mode: string };
}

describe("lib/ci: the load-test gate (production, after staging was load-tested)", () => {
    const production = stackFromYaml("production", stackYaml({ environment: "production", tag: "2023.05.1", digest: DIGEST_A }));
    const staging = stackFromYaml("staging", stackYaml({ environment: "staging", tag: "2023.05.1" }));
    const playground = stackFromYaml("playground", stackYaml({ environment: "playground", tag: "2023.05.1" }));

    it("abort: a failed load test stops the deployment", () => {
        const verdict = loadTestVerdict(production, "abort", "failed");
        assert.equal(verdict.deploy, false);
        assert.equal(verdict.level, "error");
        assert.match(verdict.message, /^production may not be deployed: the load test failed/);
    });

    it("abort: a passed load test deploys", () => {
        assert.deepEqual(loadTestVerdict(production, "abort", "passed"), { deploy: true, level: "notice", message: "load test passed" });
    });

    it("abort: no load test result refuses (the commit asked for one)", () => {
        const verdict = loadTestVerdict(production, "abort", "not-run");
        assert.equal(verdict.deploy, false);
        assert.match(verdict.message, /no load test result was given/);
    });

    it("warn (and no label): a failed load test deploys with a warning", () => {
        const verdict = loadTestVerdict(production, "warn", "failed");
        assert.deepEqual([verdict.deploy, verdict.level], [true, "warning"]);
        assert.match(verdict.message, /the load test failed; the deployment proceeds/);
    });

    it("warn: no load test result deploys with a warning that says so", () => {
        const verdict = loadTestVerdict(production, "warn", "not-run");
        assert.deepEqual([verdict.deploy, verdict.level], [true, "warning"]);
        assert.match(verdict.message, /no load test result/);
    });

    it("warn: a passed load test is a plain notice", () => {
        assert.deepEqual(loadTestVerdict(production, "warn", "passed"), { deploy: true, level: "notice", message: "load test passed" });
    });

    it("skip: deploys whatever the outcome, and says it was skipped", () => {
        for (const outcome of ["passed", "failed", "not-run"] as const) {
            const verdict = loadTestVerdict(production, "skip", outcome);
            assert.deepEqual([verdict.deploy, verdict.level], [true, "notice"], outcome);
            assert.match(verdict.message, /skipped/);
        }
    });

    it("follows the stack's level for the rule: advisory on playground only warns, disabled on staging does not gate", () => {
        assert.deepEqual(pick(loadTestVerdict(playground, "abort", "failed")), [true, "warning"]);
        assert.deepEqual(pick(loadTestVerdict(staging, "abort", "failed")), [true, "notice"]);
    });
});

function pick(verdict: { deploy: boolean; level: string }) {
    return [verdict.deploy, verdict.level];
}

describe("lib/ci: the load-test record on a commit (staging run -> production run)", () => {
    it("round-trips every mode and outcome", () => {
        for (const mode of ["abort", "skip", "warn"] as const) {
            for (const outcome of ["passed", "failed", "not-run"] as const) {
                assert.deepEqual(parseLoadTestRecord(formatLoadTestRecord(mode, outcome)), { mode, outcome });
            }
        }
        assert.equal(formatLoadTestRecord("abort", "failed"), "mode=abort outcome=failed");
    });

    it("anything else is not a record", () => {
        for (const text of ["", "mode=abort", "mode=ABORT outcome=failed", "mode=abort outcome=flaky", "outcome=failed mode=abort", "x mode=abort outcome=failed"]) {
            assert.equal(parseLoadTestRecord(text), undefined, text);
        }
    });
});
