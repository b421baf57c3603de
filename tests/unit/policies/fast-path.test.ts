/**
 * policies/fast-path.js: the per-call work it takes out of @pulumi/policy leaves every answer
 * as @pulumi/policy gives it, and it fails loudly when an upgrade of the SDK moves what it hooks.
 * Remediate runs through a real gRPC server and client on 127.0.0.1.
 */
import * as assert from "assert";
import * as path from "path";

const policyDir = path.dirname(require.resolve("@pulumi/policy/package.json"));
const fromPolicy = (id: string) => require(require.resolve(id, { paths: [policyDir] }));
// eslint-disable-next-line @typescript-eslint/no-var-requires
const fastPath = require("../../../policies/fast-path");
const grpc = fromPolicy("@grpc/grpc-js");
const analyzerrpc = fromPolicy("@pulumi/pulumi/proto/analyzer_grpc_pb");
const analyzerproto = fromPolicy("@pulumi/pulumi/proto/analyzer_pb");
const server = fromPolicy("@pulumi/policy/server");
const deserialize = fromPolicy("@pulumi/policy/deserialize");
const { Struct } = require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [path.dirname(require.resolve("@pulumi/pulumi/package.json"))] }));

const secretSig = "1b47061264138c4ac30d75fd1eb44270";
const props = () => ({
    metadata: { name: "backend", annotations: { "pinstack.dev/pin": "ghcr.io/x/backend:2023.06.1@sha256:abc" } },
    spec: { replicas: 2, template: { spec: { containers: [{ name: "backend", image: "ghcr.io/x/backend:2023.06.1" }] } } },
    env: { "4dabf18193072939515e22adb298388d": secretSig, value: "postgres://secret" },
});

function request(): any {
    const req = new analyzerproto.AnalyzeRequest();
    req.setType("kubernetes:apps/v1:Deployment");
    req.setName("backend");
    req.setUrn("urn:pulumi:production::pinstack::kubernetes:apps/v1:Deployment::backend");
    req.setProperties(Struct.fromJavaScript(props()));
    // The engine always sends options; @pulumi/policy's Remediate reads them before its try.
    req.setOptions(new analyzerproto.AnalyzerResourceOptions());
    return req;
}

describe("policies: fast path over @pulumi/policy", () => {
    it("finds @pulumi/policy as it relies on (fails when an upgrade moves a hook)", () => {
        assert.doesNotThrow(() => fastPath.check());
    });

    it("converts a request's properties once, and every policy still gets objects of its own", () => {
        const struct = request().getProperties();
        let conversions = 0;
        const toJavaScript = struct.toJavaScript.bind(struct);
        struct.toJavaScript = () => {
            conversions++;
            return toJavaScript();
        };
        const first = deserialize.deserializeProperties(struct, false);
        const second = deserialize.deserializeProperties(struct, false);
        assert.strictEqual(conversions, 1);
        // The secret is unwrapped as @pulumi/policy does it: to its value.
        assert.deepStrictEqual(first, { ...props(), env: "postgres://secret" });
        assert.deepStrictEqual(second, first);
        assert.notStrictEqual(second.metadata, first.metadata);
        first.metadata.name = "changed by a policy";
        first.spec.template.spec.containers.push({ name: "extra", image: "x" });
        assert.strictEqual(second.metadata.name, "backend");
        assert.strictEqual(second.spec.template.spec.containers.length, 1);
        assert.strictEqual(deserialize.deserializeProperties(struct, false).metadata.name, "backend");
    });

    describe("Remediate, through gRPC", () => {
        let srv: any;
        let client: any;
        let remediated: any[];

        before(async () => {
            remediated = [];
            srv = new grpc.Server();
            const Empty = analyzerrpc.AnalyzerService.configure.responseType;
            srv.addService(analyzerrpc.AnalyzerService, {
                analyze: (_: unknown, cb: any) => cb(null, new analyzerproto.AnalyzeResponse()),
                analyzeStack: (_: unknown, cb: any) => cb(null, new analyzerproto.AnalyzeResponse()),
                remediate: (call: any, cb: any) => {
                    remediated.push(call.request);
                    cb(null, new analyzerproto.RemediateResponse());
                },
                getAnalyzerInfo: (_: unknown, cb: any) => cb(null, new analyzerproto.AnalyzerInfo()),
                getPluginInfo: (_: unknown, cb: any) => cb(null, null),
                configure: (_: unknown, cb: any) => cb(null, new Empty()),
                configureStack: (_: unknown, cb: any) => cb(null, new analyzerproto.AnalyzerStackConfigureResponse()),
            });
            const port: number = await new Promise((resolve, reject) => srv.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err: Error | null, p: number) => (err ? reject(err) : resolve(p))));
            const Client = grpc.makeGenericClientConstructor(analyzerrpc.AnalyzerService, "Analyzer");
            client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        });
        after(() => {
            client?.close();
            srv?.forceShutdown();
        });
        const call = (method: string, req: unknown): Promise<any> => new Promise((resolve, reject) => client[method](req, (err: Error | null, resp: unknown) => (err ? reject(err) : resolve(resp))));

        it("answers at once, as @pulumi/policy would, when no policy can remediate", async () => {
            assert.strictEqual(fastPath.canRemediate(), false);
            const answer = await call("remediate", request());
            assert.deepStrictEqual(remediated, [], "the pack's own Remediate was not needed");
            // What @pulumi/policy's own Remediate answers for a pack whose policies only validate.
            const remediate = server.makeRemediateRpcFun("pinstack", "0.1.0", "mandatory", [{ name: "digest-required", description: "d", enforcementLevel: "mandatory", validateResource: () => undefined }]);
            const upstream: any = await new Promise((resolve, reject) => {
                remediate({ request: request() }, (err: Error | undefined, resp: unknown) => (err ? reject(err) : resolve(resp))).catch(reject);
            });
            assert.deepStrictEqual(Buffer.from(answer.serializeBinary()), Buffer.from(upstream.serializeBinary()));
            assert.strictEqual(answer.getRemediationsList().length, 0);
        });

        it("hands the decoded request to the pack once the engine configures a policy to remediate", async () => {
            const config = new analyzerproto.ConfigureAnalyzerRequest();
            const policyConfig = new analyzerproto.PolicyConfig();
            policyConfig.setEnforcementlevel(analyzerproto.EnforcementLevel.REMEDIATE);
            policyConfig.setProperties(Struct.fromJavaScript({}));
            config.getPolicyconfigMap().set("digest-required", policyConfig);
            await call("configure", config);
            assert.strictEqual(fastPath.canRemediate(), true);
            await call("remediate", request());
            assert.strictEqual(remediated.length, 1);
            assert.strictEqual(remediated[0].getUrn(), request().getUrn());
            assert.deepStrictEqual(remediated[0].getProperties().toJavaScript(), props());

            // Back to validating only: the fast answer again.
            await call("configure", new analyzerproto.ConfigureAnalyzerRequest());
            await call("remediate", request());
            assert.strictEqual(remediated.length, 1);
        });
    });
});
