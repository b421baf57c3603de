// Entry point of the policy pack (package.json "main"; PulumiPolicy.yaml says typescript: false).
//
// The pack starts on every preview. Registered as TypeScript, the runner would load ts-node and
// with it the whole TypeScript compiler (measured: the pack was ready after ~7 s of CPU that
// way, ~2 s for a plain JavaScript pack). sucrase compiles each .ts file as it is required,
// keeping line numbers, in plain JavaScript: no compiler to load, no native binary to install.
// Type checking is `npm run typecheck` (tsc over the repository, policies/ included).
"use strict";
require("sucrase/register/ts");
require("./index.ts");
