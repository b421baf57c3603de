// Preloaded (node --require) by pinstack's language host into every Pulumi program.
//
// Works around a Node.js bug (seen in 20.20 and 22.23): util.inspect(err, { colors: true })
// loops, growing a string until it throws "RangeError: Invalid string length" minutes later,
// when a stack frame's path has "/node_modules/<name>" with no separator after <name>
// (lib/internal/util/inspect.js markNodeModules searches again from index -1).
//
// Pulumi programs meet it on every error thrown from an async program: @pulumi/pulumi's
// source maps point one directory too high ("../resource.ts" next to
// node_modules/@pulumi/pulumi/resource.js), so ts-node's source-map-support renders frames as
// ".../node_modules/@pulumi/resource.ts:1598:22", and cmd/run formats the error with
// util.inspect(err, { colors: true }) before falling back to an uncoloured inspect. For
// exactly those errors we go straight to the uncoloured form: same text, no multi-minute hang.
"use strict";
const util = require("util");

function loopsInNode(stack) {
    for (const line of stack.split("\n")) {
        let from = 0;
        for (;;) {
            const at = line.indexOf("node_modules", from);
            if (at === -1) break;
            const before = line[at - 1];
            const after = line[at + 12];
            if ((before !== "/" && before !== "\\") || (after !== "/" && after !== "\\")) {
                from = at + 1;
                continue;
            }
            const start = at + 13;
            let end = line.indexOf(before, start);
            if (line[start] === "@" && end !== -1) end = line.indexOf(before, end + 1);
            if (end === -1) return true;
            from = end;
        }
    }
    return false;
}

function hasLoopingStack(value, depth) {
    if (depth > 8 || !(value instanceof Error)) return false;
    if (typeof value.stack === "string" && loopsInNode(value.stack)) return true;
    if (hasLoopingStack(value.cause, depth + 1)) return true;
    return Array.isArray(value.errors) && value.errors.some((e) => hasLoopingStack(e, depth + 1));
}

// A Proxy keeps every property of util.inspect (custom, defaultOptions, colors, styles).
util.inspect = new Proxy(util.inspect, {
    apply(inspect, thisArg, args) {
        const [value, options] = args;
        if (options !== null && typeof options === "object" && options.colors && hasLoopingStack(value, 0)) {
            return Reflect.apply(inspect, thisArg, [value, { ...options, colors: false }]);
        }
        if (typeof options === "boolean" && args[3] === true && hasLoopingStack(value, 0)) {
            return Reflect.apply(inspect, thisArg, [value, options, args[2], false]);
        }
        return Reflect.apply(inspect, thisArg, args);
    },
});
