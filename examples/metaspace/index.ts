// The example runs pinstack's own program (../../index.ts) with this directory's stack files.
import program = require("../../index");
export = program;
