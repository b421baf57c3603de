"use strict";
// CPU profile of a policy pack's node process, for bench/pack-profile.bench.ts (loaded with
// --require through the pack's runtime nodeargs). node's own --cpu-prof writes its profile when
// the process exits normally, and the Pulumi CLI kills its plugins at the end of a preview, so
// that profile never appears. This preload starts the profiler through node:inspector and
// writes the profile (PINSTACK_PACK_CPU_PROFILE_DIR/<pid>.cpuprofile) each time the engine's
// AnalyzeStack call returns: the last call of a preview.
const fs = require("fs");
const inspector = require("inspector");
const Module = require("module");
const path = require("path");

const dir = process.env.PINSTACK_PACK_CPU_PROFILE_DIR;
if (dir) {
    const session = new inspector.Session();
    session.connect();
    session.post("Profiler.enable");
    session.post("Profiler.setSamplingInterval", { interval: 500 });
    session.post("Profiler.start");
    const write = () =>
        session.post("Profiler.stop", (err, result) => {
            if (!err) fs.writeFileSync(path.join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
            session.post("Profiler.start");
        });
    const load = Module._load;
    Module._load = function (request) {
        const exported = load.apply(this, arguments);
        if (request === "@grpc/grpc-js" && exported.Server && !exported.Server.prototype.__pinstackProfiled) {
            const addService = exported.Server.prototype.addService;
            exported.Server.prototype.__pinstackProfiled = true;
            exported.Server.prototype.addService = function (service, impl) {
                if (impl && typeof impl.analyzeStack === "function") {
                    const analyzeStack = impl.analyzeStack;
                    impl = {
                        ...impl,
                        analyzeStack(call, callback) {
                            return analyzeStack.call(this, call, (...args) => {
                                callback(...args);
                                setImmediate(write);
                            });
                        },
                    };
                }
                return addService.call(this, service, impl);
            };
        }
        return exported;
    };
}
