"use strict";
// The baseline of bench/promote.bench.ts: the same file change with the `yaml` package alone.
// Reads the source and target stack files with the Document API, copies the tag of the first
// <count> services from source to target (doc.setIn), writes the target back (doc.toString).
// No validation, no rules, no provenance, no atomic write: the floor any YAML-editing tool pays.
//   node promote-yaml-alone.js <pristine> <target> <source> <count>
const fs = require("fs");
const { parseDocument } = require("yaml");
const [pristine, target, source, count] = process.argv.slice(2);
fs.copyFileSync(pristine, target);
const from = parseDocument(fs.readFileSync(source, "utf8"));
const to = parseDocument(fs.readFileSync(target, "utf8"));
const services = from.getIn(["config", "pinstack:services"]);
let n = 0;
for (const pair of services.items) {
    if (n++ >= Number(count)) break;
    const name = String(pair.key.value);
    to.setIn(["config", "pinstack:services", name, "tag"], from.getIn(["config", "pinstack:services", name, "tag"]));
}
fs.writeFileSync(target, to.toString());
