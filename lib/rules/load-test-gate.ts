import type { Finding, Rule, RuleContext } from "./types";

/** Rule `load-test-gate` (Merino): the load-test label decides whether a failed load test stops the release. */
export const loadTestGate: Rule = {
    id: "load-test-gate",
    description: "Merino's [load test: abort|skip|warn]: a failed load test stops the deployment under abort, warns otherwise; skip skips it.",
    gate(context: RuleContext): Finding[] {
        const { loadTest, loadTestPassed } = context.gates;
        if (loadTest === "skip" || loadTestPassed === true) return [];
        if (loadTest === "abort") {
            if (loadTestPassed === false) {
                return [{ message: "the load test failed and the commit is labelled [load test: abort]: fix the regression (or relabel with [load test: warn] after review) and rerun the load test" }];
            }
            if (context.strictGates) {
                return [{ message: "the commit is labelled [load test: abort] but no load test result was given: run the load test against staging and pass its result" }];
            }
            return [];
        }
        if (loadTestPassed === false) {
            return [{ level: "advisory", message: "the load test failed; the deployment proceeds because the label is warn (or absent): look at the load test report before the next release" }];
        }
        return [];
    },
};
