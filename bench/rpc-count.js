"use strict";
// Counts the gRPC calls a Pulumi Node.js program makes to the engine, by method, with the
// bytes of their requests: bench/components-preview.bench.ts loads it (NODE_OPTIONS
// --require) into its untimed check run only, to show where the cost of a component goes.
//
// It wraps the unary methods of every generated client (`*_grpc_pb.js`) as the SDK loads
// them: @grpc/grpc-js's exports are getters, so its own Client cannot be patched from here.
// Each process that made a call writes `<PINSTACK_RPC_COUNT_DIR>/<pid>.json` when it exits;
// the language host starts other node processes (npm, version checks) that make none.
const fs = require("fs");
const Module = require("module");
const path = require("path");

const dir = process.env.PINSTACK_RPC_COUNT_DIR;
if (dir) {
    const calls = {};
    const wrapped = new Set();
    const load = Module._load;
    Module._load = function (request) {
        const exported = load.apply(this, arguments);
        if (/_grpc_pb(\.js)?$/.test(request) && !wrapped.has(exported)) {
            wrapped.add(exported);
            for (const [client, Client] of Object.entries(exported)) {
                if (typeof Client !== "function" || !Client.service) continue;
                for (const [method, definition] of Object.entries(Client.service)) {
                    if (definition.requestStream || definition.responseStream) continue;
                    const call = Client.prototype[method];
                    // "/pulumirpc.ResourceMonitor/RegisterResource" -> "ResourceMonitor.RegisterResource"
                    const key = definition.path ? definition.path.replace(/^\/(?:[^./]+\.)*/, "").replace("/", ".") : `${client}.${method}`;
                    Client.prototype[method] = function (request, ...rest) {
                        const entry = (calls[key] ??= { calls: 0, bytes: 0 });
                        entry.calls++;
                        entry.bytes += definition.requestSerialize(request).length;
                        return call.call(this, request, ...rest);
                    };
                }
            }
        }
        return exported;
    };
    process.on("exit", () => {
        if (Object.keys(calls).length > 0) fs.writeFileSync(path.join(dir, `${process.pid}.json`), JSON.stringify(calls));
    });
}
