"use strict";
// One timed promotion for bench/promote.bench.ts: puts the pristine target file back (a
// promotion rewrites it, and every run must do the same work), then runs the pinstack CLI
// in this process with the remaining arguments. The yaml-alone baseline restores the same way.
//   node promote-run.js <pristine> <target> <pinstack args...>
const fs = require("fs");
const path = require("path");
const [pristine, target, ...args] = process.argv.slice(2);
fs.copyFileSync(pristine, target);
process.argv = [process.argv[0], path.join(__dirname, "..", "bin", "pinstack.js"), ...args];
require(path.join(__dirname, "..", "bin", "pinstack.js"));
