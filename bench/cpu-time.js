"use strict";
// Runs a node script in this process and reports its CPU time (user + system) as the
// last line of stderr: `BENCH_CPU_MS <ms>`. With no script it measures node's own start,
// the CPU baseline. CPU time is what the benchmarks compare, because wall time on a
// shared 2-core machine mostly measures the other processes.
const fs = require("fs");
const path = require("path");
process.on("exit", () => {
    const usage = process.resourceUsage();
    fs.writeSync(2, `\nBENCH_CPU_MS ${((usage.userCPUTime + usage.systemCPUTime) / 1000).toFixed(1)}\n`);
});
const [script, ...args] = process.argv.slice(2);
if (script) {
    process.argv = [process.argv[0], path.resolve(script), ...args];
    require(path.resolve(script));
}
