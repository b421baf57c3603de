"use strict";
// Per-call work @pulumi/policy 1.21 does on every resource that a pack needs only once, or not
// at all. Loaded by the pack's entry point (policies/pack.js) before the pack starts serving.
// Measured in BENCHMARKS.md ("Where a policy pack's CPU goes"); what each cut keeps exactly as
// @pulumi/policy answers is tested in tests/unit/policies/fast-path.test.ts.
//
// 1. Analyze converts the resource's properties from protobuf to JavaScript once per policy
//    (server.js: deserializeProperties(req.getProperties()) inside the loop over policies), 14
//    times per resource for pinstack's pack. The conversion of one request's Struct is kept
//    and reused; deserializeProperty still builds new objects for every policy from it, so a
//    policy cannot change what the next one sees.
// 2. Remediate decodes the request and converts all its properties, then skips every policy,
//    when no policy can remediate (none has remediateResource, and no enforcement level from
//    the pack, a policy or the engine's Configure call is "remediate"). Then it answers at once
//    with the same empty response, without decoding the request.
//
// Both hook @pulumi/policy where it calls its own modules through their exports objects
// (policy.js: server_1.serve, server.js: deserialize_1.deserializeProperties) and gRPC's
// Server.addService; `check()` fails loudly when an upgrade moves any of them.
const path = require("path");

const policyDir = path.dirname(require.resolve("@pulumi/policy/package.json"));
const fromPolicy = (id) => require(require.resolve(id, { paths: [policyDir] }));

const server = fromPolicy("@pulumi/policy/server");
const deserialize = fromPolicy("@pulumi/policy/deserialize");
const protoutil = fromPolicy("@pulumi/policy/protoutil");
const grpc = fromPolicy("@grpc/grpc-js");
const analyzerrpc = fromPolicy("@pulumi/pulumi/proto/analyzer_grpc_pb");

/** Throws, naming what moved, when @pulumi/policy no longer looks as these cuts rely on. */
function check() {
    const fs = require("fs");
    const source = (file) => fs.readFileSync(path.join(policyDir, file), "utf8");
    const expectations = [
        [typeof server.serve === "function", "server.serve is a function"],
        [source("policy.js").includes("server_1.serve("), "policy.js calls server_1.serve( through the module's exports"],
        [typeof deserialize.deserializeProperties === "function", "deserialize.deserializeProperties is a function"],
        [/deserialize_1\.deserializeProperties\(req\.getProperties\(\), false\)/.test(source("server.js")), "server.js's Analyze calls deserialize_1.deserializeProperties(req.getProperties(), false)"],
        [/outputsStruct\.toJavaScript\(\)/.test(source("deserialize.js")), "deserializeProperties reads its argument only through toJavaScript()"],
        [typeof protoutil.makeRemediateResponse === "function" && typeof protoutil.convertEnforcementLevel === "function", "protoutil.makeRemediateResponse and convertEnforcementLevel exist"],
        [/enforcementLevel !== "remediate" \|\| !policy_1\.isResourcePolicy\(p\)/.test(source("server.js")), "Remediate skips every policy whose level is not \"remediate\""],
        [typeof grpc.Server?.prototype?.addService === "function", "@grpc/grpc-js Server.prototype.addService exists"],
        [typeof analyzerrpc.AnalyzerService?.remediate?.requestDeserialize === "function", "AnalyzerService.remediate.requestDeserialize exists"],
    ];
    const moved = expectations.filter(([ok]) => !ok).map(([, what]) => what);
    if (moved.length > 0) {
        throw new Error(`policies/fast-path.js: @pulumi/policy changed, these no longer hold: ${moved.join("; ")}. Re-measure and update the fast path, or remove it.`);
    }
}

/** One Struct -> JavaScript conversion per request, shared by every policy's deserialization. */
function shareConversions() {
    const deserializeProperties = deserialize.deserializeProperties;
    const converted = new WeakMap();
    deserialize.deserializeProperties = function (struct, proxySecrets) {
        if (!struct || typeof struct.toJavaScript !== "function") return deserializeProperties.call(this, struct, proxySecrets);
        let js = converted.get(struct);
        if (js === undefined) {
            js = struct.toJavaScript();
            converted.set(struct, js);
        }
        return deserializeProperties.call(this, { toJavaScript: () => js }, proxySecrets);
    };
}

/** The pack being served, as serve() was told. */
let served = { policies: [], level: undefined };
/** Enforcement levels the engine's Configure call set, by policy name. */
let configuredLevels = new Map();

function canRemediate() {
    if (served.level === "remediate") return true;
    if (served.policies.some((p) => p.remediateResource || p.enforcementLevel === "remediate")) return true;
    return [...configuredLevels.values()].includes("remediate");
}

function skipIdleRemediations() {
    const serve = server.serve;
    server.serve = function (name, version, level, args) {
        served = { policies: (args && args.policies) || [], level };
        return serve.apply(this, arguments);
    };
    const addService = grpc.Server.prototype.addService;
    grpc.Server.prototype.addService = function (service, impl) {
        if (service !== analyzerrpc.AnalyzerService || !impl || typeof impl.remediate !== "function") return addService.call(this, service, impl);
        const decode = service.remediate.requestDeserialize;
        const remediate = impl.remediate;
        const configure = impl.configure;
        const lazyService = { ...service, remediate: { ...service.remediate, requestDeserialize: (bytes) => ({ undecoded: bytes }) } };
        const fastImpl = {
            ...impl,
            remediate(call, callback) {
                if (!canRemediate()) return callback(undefined, protoutil.makeRemediateResponse([], undefined));
                call.request = decode(call.request.undecoded);
                return remediate.call(this, call, callback);
            },
            configure(call, callback) {
                try {
                    const levels = new Map();
                    for (const [name, value] of call.request.getPolicyconfigMap().entries()) levels.set(name, protoutil.convertEnforcementLevel(value.getEnforcementlevel()));
                    configuredLevels = levels;
                } catch {
                    // A request @pulumi/policy cannot read either: it answers with the error.
                    configuredLevels = new Map([["(unreadable)", "remediate"]]);
                }
                return configure.call(this, call, callback);
            },
        };
        return addService.call(this, lazyService, fastImpl);
    };
}

check();
shareConversions();
skipIdleRemediations();

module.exports = { check, canRemediate };
