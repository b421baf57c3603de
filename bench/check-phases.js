"use strict";
// Where the CPU time of one `pinstack check` goes, phase by phase, in a fresh process
// (cold, as a user runs it). Prints one JSON object. Used by check.bench.ts.
const t = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
};
const path = require("path");
const fs = require("fs");
const root = path.join(__dirname, "..");
const phases = {};
let last = t();
const mark = (name) => {
    const now = t();
    phases[name] = (phases[name] ?? 0) + (now - last);
    last = now;
};
const config = require(path.join(root, "dist/lib/config"));
const rules = require(path.join(root, "dist/lib/rules"));
// As every entry point does: lib judges by the presets stacks/ hands it.
require(path.join(root, "dist/lib/presets")).usePresets(require(path.join(root, "dist/stacks")).presets);
mark("load pinstack lib (js-yaml included)");
const dir = process.argv[2];
const stacks = config.listStacks(dir);
const texts = stacks.map((stack) => fs.readFileSync(path.join(dir, `Pulumi.${stack}.yaml`), "utf8"));
mark("read files");
const files = texts.map((text, i) => config.parseStackFileText(`Pulumi.${stacks[i]}.yaml`, text, { project: "pinstack" }));
mark("parse YAML to values (js-yaml), secure: values dropped");
const configs = files.map((f, i) => config.parseStackConfig(stacks[i], f.file, f.raw, f.locate, { secretKeys: f.secretKeys }));
mark("parseStackConfig: schema + pins");
configs.forEach((c) => rules.evaluateStack(c));
mark("evaluateStack: every rule");
// What the `yaml` Document API (which promote edits through) would cost on the same text.
const yaml = require(require.resolve("yaml", { paths: [root] }));
mark("(for comparison) load yaml");
for (const text of texts) yaml.parseDocument(text, { lineCounter: new yaml.LineCounter(), prettyErrors: false, uniqueKeys: false });
mark("(for comparison) yaml parseDocument of the same files");
process.stdout.write(JSON.stringify(phases));
