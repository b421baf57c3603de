// Entry point of the policy pack (package.json "main"; PulumiPolicy.yaml says typescript: false).
//
// The pack starts on every preview. Registered as TypeScript, the runner would load ts-node and
// with it the whole TypeScript compiler (measured: the pack was ready after ~7 s of CPU that
// way, ~2 s for a plain JavaScript pack). sucrase compiles each .ts file as it is required
// (scripts/register-ts.js, with a cache), keeping line numbers, in plain JavaScript: no
// compiler to load, no native binary to install. Type checking is `npm run typecheck`.
"use strict";
require("../scripts/register-ts");
// Before the pack serves: per-call work @pulumi/policy would do on every resource (see the file).
require("./fast-path");
require("./index.ts");
