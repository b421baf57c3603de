import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const repo = path.resolve(__dirname, "../../..");
const preload = path.join(repo, "scripts", "register-ts.js");
const program = path.join(__dirname, "fixtures", "engine-log.js");

interface LogRequest {
    readonly severity: number;
    readonly message: string;
}

const DEBUG = 0;
const sdkTrace = /^(Registering resource|RegisterResource RPC|RegisterResourceOutputs RPC)/;

/** The Log requests a real gRPC Engine service received from the fixture program. */
function engineLog(preloads: string[], env: NodeJS.ProcessEnv = {}): LogRequest[] {
    const args = [...preloads.flatMap((p) => ["-r", p]), program];
    const result = spawnSync(process.execPath, args, { cwd: repo, env: { ...process.env, PINSTACK_SDK_TRACE: "", ...env }, encoding: "utf8", timeout: 60_000 });
    assert.equal(result.status, 0, result.stderr);
    return JSON.parse(result.stdout);
}

const programLines = [
    { severity: DEBUG, message: "program: my own debug line" },
    { severity: 2, message: "program: my own warning" },
    { severity: 1, message: "program: end" },
];

describe("scripts/quiet-sdk-trace.js: the SDK's per-resource trace lines stay in the program", function () {
    this.timeout(120_000);

    it("without it, the SDK sends a debug Log per registration step (so this test can see the difference)", () => {
        const trace = engineLog([]).filter((r) => sdkTrace.test(r.message));
        // A component and a custom resource: 2 x (registering, prepared, finished), the
        // component's outputs prepared and finished (the SDK sends "finished" twice).
        assert.equal(trace.length, 9, JSON.stringify(trace));
        assert.ok(trace.every((r) => r.severity === DEBUG));
    });

    it("through register-ts.js, the engine gets none of them, and every line of the program's own", () => {
        assert.deepStrictEqual(engineLog([preload]), programLines);
    });

    it("PINSTACK_SDK_TRACE=1 sends them again", () => {
        const received = engineLog([preload], { PINSTACK_SDK_TRACE: "1" });
        assert.equal(received.filter((r) => sdkTrace.test(r.message)).length, 9);
        assert.deepStrictEqual(received.filter((r) => !sdkTrace.test(r.message)), programLines);
    });

    it("does nothing outside a Pulumi project (no @pulumi/pulumi to find)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinstack-quiet-trace-"));
        try {
            fs.cpSync(path.join(repo, "scripts", "quiet-sdk-trace.js"), path.join(dir, "quiet-sdk-trace.js"));
            const result = spawnSync(process.execPath, ["-e", `console.log(require("./quiet-sdk-trace.js").active)`], { cwd: dir, encoding: "utf8" });
            assert.equal(result.status, 0, result.stderr);
            assert.equal(result.stdout.trim(), "false");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
