"use strict";
// A pack with one resource policy that looks at nothing (see PulumiPolicy.yaml).
const { PolicyPack } = require("@pulumi/policy");

new PolicyPack("policy-floor", {
    policies: [{ name: "nothing", description: "Checks nothing. Benchmark floor.", enforcementLevel: "advisory", validateResource: () => {} }],
});
