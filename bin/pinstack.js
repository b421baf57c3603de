#!/usr/bin/env node
"use strict";
// The CLI runs from the compiled dist/ (built by scripts/setup): starting through
// ts-node would cost more than the commands themselves.
const path = require("path");
const fs = require("fs");
const compiled = path.join(__dirname, "..", "dist", "cli", "main.js");
if (!fs.existsSync(compiled)) {
    process.stderr.write("error: pinstack is not built\n  fix: run `npm run compile` (or scripts/setup) in " + path.dirname(__dirname) + "\n");
    process.exit(2);
}
require(compiled).main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
});
