"use strict";
// Mocha's spec output, plus one closing line CI tools read ("N passed, N failed, N skipped"),
// and the same counts appended to $PINSTACK_TEST_TOTALS so scripts/test can add up several runs.
const fs = require("fs");
const Mocha = require("mocha");
const { EVENT_RUN_END } = Mocha.Runner.constants;

class SummaryReporter extends Mocha.reporters.Spec {
    constructor(runner, options) {
        super(runner, options);
        runner.once(EVENT_RUN_END, () => {
            const { passes, failures, pending } = runner.stats;
            const line = `${passes} passed, ${failures} failed, ${pending} skipped`;
            process.stdout.write(`mocha: ${line}\n`);
            if (process.env.PINSTACK_TEST_TOTALS) {
                fs.appendFileSync(process.env.PINSTACK_TEST_TOTALS, `${passes} ${failures} ${pending}\n`);
            }
        });
    }
}

module.exports = SummaryReporter;
