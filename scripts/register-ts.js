"use strict";
// Loads TypeScript files by compiling them with sucrase as they are required: the program
// (Pulumi.yaml nodeargs), the policy pack (policies/pack.js) and the tests (.mocharc.json).
//
// Our own hook rather than `sucrase/register`, for two reasons measured on every preview:
//   - a cache: sucrase's register compiles every file on every run; the program's ~75 files
//     took ~380 ms of CPU per run, ~190 ms of it the generated schema validator alone.
//     Compiled code is kept under node_modules/.cache/pinstack-ts, keyed by a hash of the
//     source, sucrase's version and the options, so an edit can never run stale code;
//   - no inline source maps: sucrase keeps every line where it was, so stack traces already
//     point at the right line, and Pulumi maps a stack trace for every resource it registers
//     (source-map-support), which parsed those maps over and over.
// Nothing here is required for correctness: without a writable cache it compiles each time.
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const { addHook } = require("pirates");
const sucrase = require("sucrase");

const OPTIONS = { transforms: ["typescript", "imports"] };
const SALT = `${require("sucrase/package.json").version}\0${JSON.stringify(OPTIONS)}\0`;
const CACHE = process.env.PINSTACK_TS_CACHE ?? path.join(__dirname, "..", "node_modules", ".cache", "pinstack-ts");

function compile(code, filePath) {
    const key = crypto.createHash("sha256").update(SALT).update(code).digest("hex");
    const cached = path.join(CACHE, key.slice(0, 2), `${key}.js`);
    try {
        return fs.readFileSync(cached, "utf8");
    } catch {
        // not cached yet
    }
    const out = sucrase.transform(code, { ...OPTIONS, filePath }).code;
    try {
        fs.mkdirSync(path.dirname(cached), { recursive: true });
        // Written whole under another name, then renamed: a concurrent run reads the old
        // state or the complete file, never half of one.
        const temporary = `${cached}.${process.pid}.tmp`;
        fs.writeFileSync(temporary, out);
        fs.renameSync(temporary, cached);
    } catch {
        // a read-only checkout: compile each time
    }
    return out;
}

addHook(compile, { exts: [".ts"] });

// The same processes skip the SDK's source-map-support, which no frame here needs (see there).
require("./plain-stack-traces");
// ... and send the SDK's per-resource trace lines nowhere unless asked (see there).
require("./quiet-sdk-trace");
