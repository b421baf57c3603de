// Entry point of the policy pack (package.json "main"). @pulumi/pulumi's policy-pack runner
// registers ts-node with full type checking, which re-checks lib/, stacks/ and the Pulumi SDK
// typings on every preview (seconds, each time). The repository already type-checks policies/
// with tsc (`npm run typecheck`), so the pack loads its TypeScript the way the tests do:
// transpile only, with the repository's tsconfig.
"use strict";
const path = require("path");

require("ts-node").register({
    transpileOnly: true,
    project: path.join(__dirname, "..", "tsconfig.json"),
});
require("./index.ts");
