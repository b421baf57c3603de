import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as path from "path";
import { threeStacks } from "./fixtures";
import { ensureBuilt, removeTempProjects, repoRoot, tempProject } from "./helpers";

const bin = path.join(repoRoot, "bin", "pinstack.js");

/** Runs pinstack with its stdout a pipe whose reading end is closed before pinstack writes. */
function runIntoClosedPipe(args: readonly string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
        // Closed at once: node takes far longer to start than this, so every write meets a closed pipe.
        child.stdout.destroy();
        let stderr = "";
        child.stderr.on("data", (chunk) => (stderr += String(chunk)));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stderr }));
    });
}

/**
 * `pinstack ci --help | head`: output into a pipe its reader closed is dropped, and the command
 * ends quietly with its own exit code (no EPIPE stack trace, no exit code of a crash).
 */
describe("pinstack writing into a closed pipe (process)", function () {
    this.timeout(60_000);
    before(ensureBuilt);
    after(removeTempProjects);

    it("`pinstack ci --help` into a closed pipe exits 0 and prints nothing on stderr", async () => {
        const { code, stderr } = await runIntoClosedPipe(["ci", "--help"], repoRoot);
        assert.equal(stderr, "");
        assert.equal(code, 0);
    });

    it("`pinstack ci --help | head -1` under pipefail: the first line, exit 0, no stack trace", () => {
        const result = spawnSync("bash", ["-c", `set -o pipefail; "${process.execPath}" "${bin}" ci --help | head -1`], { cwd: repoRoot, encoding: "utf8" });
        assert.equal(result.stdout, "Usage: pinstack ci [options] [command]\n");
        assert.equal(result.stderr, "");
        assert.equal(result.status, 0);
    });

    it("a check that finds violations still exits 1 when its reader is gone", async () => {
        const project = tempProject({ ...threeStacks(), "Pulumi.staging.yaml": threeStacks()["Pulumi.staging.yaml"].replace("tag: 2023.05.1", "tag: latest") });
        const { code, stderr } = await runIntoClosedPipe(["check"], project.dir);
        assert.doesNotMatch(stderr, /EPIPE|Unhandled|\n\s+at /);
        assert.equal(code, 1);
    });
});
