// Entry point of the policy pack (package.json "main"; PulumiPolicy.yaml says typescript: false).
//
// The pack starts on every preview, inside @pulumi/pulumi's policy-pack runner, which keeps a V8
// inspector session open (closure serialization hooks) — and that makes every script V8 compiles
// slower. Registered with TypeScript itself, the runner would type-check lib/ and the SDK
// typings each time; even ts-node in transpile-only (or swc) mode loads the whole TypeScript
// compiler to read tsconfig. Measured (bench/policies.bench.ts, this machine): the pack was
// ready after ~7 s of CPU with ts-node+swc, ~2 s for a plain JavaScript pack.
//
// So when @swc/core is installed (it is a project dependency), .ts files are compiled here by
// swc's native transform through a minimal require hook: what ts-node does, without loading
// TypeScript. Type checking is `npm run typecheck` (tsc over the repository, policies/ included),
// as for the tests. Without @swc/core, ts-node's transpile-only mode is the fallback.
"use strict";
const fs = require("fs");
const path = require("path");

function swcHook(swc) {
    const options = (filename) => ({
        filename,
        sourceMaps: "inline",
        jsc: { parser: { syntax: "typescript" }, target: "es2022" },
        module: { type: "commonjs" },
    });
    require.extensions[".ts"] = (module, filename) => {
        const { code } = swc.transformSync(fs.readFileSync(filename, "utf8"), options(filename));
        module._compile(code, filename);
    };
}

let swc;
try {
    swc = require("@swc/core");
} catch {
    swc = undefined;
}
if (swc) {
    swcHook(swc);
} else {
    require("ts-node").register({ transpileOnly: true, project: path.join(__dirname, "..", "tsconfig.json") });
}
require("./index.ts");
