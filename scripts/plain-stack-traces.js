"use strict";
// Keeps V8's own stack traces in pinstack's program: @pulumi/pulumi's entry point installs
// source-map-support, which we stop. (The policy pack loads register-ts.js from pack.js, after
// its entry point has installed it; there this does nothing.)
//
// Why: the SDK captures a full stack trace (Error.stackTraceLimit = Infinity) for every
// resource it registers, and another for every RPC promise it tracks. source-map-support
// rewrites each frame of each of them through the SDK's and the providers' .js.map files
// (cloning every call site, parsing the maps). Measured on a 100-service preview: about
// 0.6 s of the program's CPU for the bare objects and 0.8 s for pinstack's components
// (the whole preview: -6% and -10% of CPU). It buys nothing here: pinstack's TypeScript is compiled by
// sucrase (register-ts.js), which keeps every line where it was and writes no maps, so our
// frames read the same either way; only frames inside the SDK would point at its .ts
// sources, which are not installed.
//
// How: the entry points only `require("source-map-support/register")` for its side effect,
// so a finished, empty module is placed in the require cache under that file's path before
// they run. Nothing else changes: any other code may still install source-map-support itself.
// PINSTACK_SOURCE_MAPS=1 keeps the SDK's behaviour (e.g. to debug inside the SDK).
const Module = require("module");
const path = require("path");

function registerModulePath() {
    let sdk;
    try {
        sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [process.cwd(), __dirname] }));
    } catch {
        return undefined; // no SDK to be found from here: nothing will install it
    }
    try {
        // Resolved from the SDK's directory: the file its entry points will load.
        return require.resolve("source-map-support/register", { paths: [sdk] });
    } catch {
        return undefined;
    }
}

function stopSdkSourceMaps() {
    if (process.env.PINSTACK_SOURCE_MAPS === "1") return;
    const file = registerModulePath();
    if (!file || require.cache[file]) return;
    const empty = new Module(file, module);
    empty.filename = file;
    empty.loaded = true;
    require.cache[file] = empty;
}

stopSdkSourceMaps();

module.exports = { registerModulePath };
