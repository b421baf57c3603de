"use strict";
// Keeps @pulumi/pulumi's per-resource trace lines in the program instead of sending each to
// the engine: "Registering resource: ...", "RegisterResource RPC prepared: ...", "... RPC
// finished: ...", the same for RegisterResourceOutputs, ReadResource and Invoke/Call.
//
// Why: the SDK's runtime sends every one of them as a debug-level Log RPC, whether or not
// anyone asked for debug output. They were 75% of the program's calls to the engine (a
// Kubernetes object: 1 RegisterResource + 3 Log; a component: 1 RegisterResource + 1
// RegisterResourceOutputs + 6 Log; bench/rpc-count.js), and each costs the program a
// gRPC round trip on one serial promise chain, and the CLI a diagnostic event, a line in
// its automatic debug log (slog JSON, compressed, encrypted) and a trip through the
// display, which drops it unless `--debug` was given. BENCHMARKS.md has the measurement.
//
// What stays: every other log line — yours (`pulumi.log.debug` included), the SDK's
// warnings and errors, and its debug lines outside the resource runtime (start-up, closure
// serialization). PINSTACK_SDK_TRACE=1 sends the trace lines again, e.g. for
// `pulumi up --debug` while debugging the SDK itself: the CLI does not tell the program
// whether --debug was given, so this cannot follow it.
//
// How: the three runtime modules that emit them load the log module through
// `require("../log")`; they get a view of it whose `debug` does nothing. The module itself,
// which `pulumi.log` is, is untouched. It matters in the program; a policy pack registers no
// resources, and under setMocks (the tests) the SDK has no engine to send the lines to.
const Module = require("module");
const path = require("path");

const TRACING_MODULES = ["resource.js", "rpc.js", "invoke.js"];

/** The SDK's runtime directory, as its modules' filenames start (undefined without an SDK). */
function sdkRuntimeDir() {
    try {
        const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [process.cwd(), __dirname] }));
        return path.join(sdk, "runtime") + path.sep;
    } catch {
        return undefined;
    }
}

/** `log` with a `debug` that resolves at once and sends nothing; all else is `log`'s own. */
function withoutDebug(log) {
    const view = Object.create(log);
    Object.defineProperty(view, "debug", { value: () => Promise.resolve(), enumerable: true });
    return view;
}

function quietSdkTrace() {
    if (process.env.PINSTACK_SDK_TRACE === "1") return false;
    const runtime = sdkRuntimeDir();
    if (!runtime) return false;
    const tracing = new Set(TRACING_MODULES.map((file) => runtime + file));
    let view;
    const load = Module._load;
    const hook = function (request, parent, isMain) {
        const loaded = load.apply(this, arguments);
        // String compare first: every require comes through here until the hook steps aside.
        if (request === "../log" && parent && tracing.delete(parent.filename)) {
            view ??= withoutDebug(loaded);
            // Each module requires it once, at load: after the last one, nothing is left to do
            // (unless another hook has wrapped this one since; then it stays, harmlessly).
            if (tracing.size === 0 && Module._load === hook) Module._load = load;
            return view;
        }
        return loaded;
    };
    Module._load = hook;
    return true;
}

const active = quietSdkTrace();

module.exports = { active, sdkRuntimeDir, withoutDebug };
