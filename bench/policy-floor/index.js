"use strict";
// What the pack starts with in pinstack: the per-call cuts of policies/fast-path.js, as pinstack's pack has them.
require("../../policies/fast-path");
// A pack with one resource policy that looks at nothing (see PulumiPolicy.yaml).
const { PolicyPack } = require("@pulumi/policy");

new PolicyPack("policy-floor", {
    policies: [{ name: "nothing", description: "Checks nothing. Benchmark floor.", enforcementLevel: "advisory", validateResource: () => {} }],
});
