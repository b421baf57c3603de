// Entry point of the policy pack (package.json "main"). @pulumi/pulumi's policy-pack runner
// would register ts-node with full type checking, re-checking lib/, stacks/ and the Pulumi SDK
// typings on every preview (tens of seconds). The repository type-checks policies/ with tsc
// already (`npm run typecheck`), so the pack only transpiles its TypeScript, as the tests and
// the program (tsconfig.pulumi.json) do: with swc when @swc/core is installed, else with
// TypeScript's transpile-only mode.
"use strict";
const path = require("path");

function resolves(id) {
    try {
        require.resolve(id);
        return true;
    } catch {
        return false;
    }
}

require("ts-node").register({
    transpileOnly: true,
    swc: resolves("@swc/core"),
    project: path.join(__dirname, "..", "tsconfig.json"),
});
require("./index.ts");
