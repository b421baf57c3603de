"use strict";
// Preloaded into a policy pack's node when its PulumiPolicy.yaml says `typescript: false`.
// @pulumi/pulumi's run-policy-pack (3.259, cmd/run-policy-pack/index.js) calls its runner with
// `typeScript: !process.versions.bun`, so under node it registers ts-node for every pack and
// ignores the option: each .ts file the pack loads is then type-checked and compiled by the
// TypeScript compiler on every preview (measured for pinstack's pack: 4 s of CPU a preview;
// BENCHMARKS.md, "Where a policy pack's CPU goes"). This hands the runner the option the pack
// asked for, as cmd/run does for programs. The language host adds it only for such packs.
const Module = require("module");

const load = Module._load;
let done = false;
Module._load = function (request, parent) {
    const exported = load.apply(this, arguments);
    if (!done && request === "./run" && parent && /[\\/]cmd[\\/]run-policy-pack[\\/]index\.js$/.test(parent.filename || "")) {
        done = true;
        if (typeof exported.run !== "function") {
            throw new Error("pinstack language host: @pulumi/pulumi's cmd/run-policy-pack/run.js no longer exports run(); update policy-typescript.js");
        }
        const run = exported.run;
        return Object.assign(Object.create(exported), { run: (opts) => run({ ...opts, typeScript: false }) });
    }
    return exported;
};
