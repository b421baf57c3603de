import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const repo = path.resolve(__dirname, "../../..");
const preload = path.join(repo, "scripts", "register-ts.js");

/**
 * What @pulumi/pulumi's entry points (cmd/run, cmd/run-policy-pack) do first, then what the
 * stack-trace formatter is: source-map-support's `prepareStackTrace`, or node's own.
 */
const sdkEntryScript = `
    const path = require("path");
    const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [process.cwd()] }));
    require(require.resolve("source-map-support/register", { paths: [sdk] }));
    console.log(Error.prepareStackTrace ? Error.prepareStackTrace.name : "none");
`;

function node(args: string[], env: NodeJS.ProcessEnv = {}, cwd = repo): string {
    const result = spawnSync(process.execPath, args, { cwd, env: { ...process.env, PINSTACK_SOURCE_MAPS: "", ...env }, encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    return result.stdout.trim();
}

describe("scripts/register-ts.js: the preload of the program, the policy pack and the tests", () => {
    it("stops the SDK's source-map-support: stack traces stay V8's own", () => {
        // Without the preload the SDK's entry installs it (so this test can see the difference).
        assert.equal(node(["-e", sdkEntryScript]), "prepareStackTrace");
        assert.notEqual(node(["-r", preload, "-e", sdkEntryScript]), "prepareStackTrace");
    });

    it("leaves source-map-support on with PINSTACK_SOURCE_MAPS=1", () => {
        assert.equal(node(["-r", preload, "-e", sdkEntryScript], { PINSTACK_SOURCE_MAPS: "1" }), "prepareStackTrace");
    });

    it("compiles TypeScript keeping every line where it was, so stack traces need no map", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinstack-register-ts-"));
        try {
            const file = path.join(dir, "where.ts");
            fs.writeFileSync(file, [
                "interface Shape {",
                "    readonly name: string;",
                "}",
                "const shape: Shape = { name: \"x\" };",
                "export function where(): string {",
                "    return new Error(shape.name).stack!.split(\"\\n\")[1];",
                "}",
            ].join("\n"));
            const cache = path.join(dir, "cache");
            const script = `console.log(require(${JSON.stringify(file)}).where())`;
            const first = node(["-r", preload, "-e", script], { PINSTACK_TS_CACHE: cache });
            assert.match(first, /where\.ts:6:\d+\)$/);
            // The second run reads the compiled file from the cache and says the same.
            assert.ok(fs.readdirSync(cache).length > 0, "nothing was cached");
            assert.equal(node(["-r", preload, "-e", script], { PINSTACK_TS_CACHE: cache }), first);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("does nothing to stack traces outside a Pulumi project (no @pulumi/pulumi to find)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinstack-register-ts-"));
        try {
            // Copied out of the repository, so the SDK cannot be found from either place.
            fs.cpSync(path.join(repo, "scripts", "plain-stack-traces.js"), path.join(dir, "plain-stack-traces.js"));
            assert.equal(node(["-e", `console.log(require("./plain-stack-traces.js").registerModulePath() ?? "none")`], {}, dir), "none");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
