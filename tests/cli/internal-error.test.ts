import { strict as assert } from "assert";
import { ExitCode } from "../../lib/errors";
import { threeStacks } from "./fixtures";
import { ensureBuilt, removeTempProjects, runPinstack, tempProject } from "./helpers";

/**
 * An error pinstack did not expect is a bug, not bad input: it exits 3 (ExitCode.internal),
 * never the 2 that tells a user to fix a file. The crash is made by a preload that breaks
 * stdout, so no command has to carry a way to crash on purpose.
 */
describe("pinstack exit code for an internal error (process)", function () {
    this.timeout(120_000);
    before(ensureBuilt);
    after(removeTempProjects);

    it("exits 3 with the stack trace and says it is a bug", () => {
        const project = tempProject({ ...threeStacks(), "crash.js": 'process.stdout.write = () => { throw new TypeError("stdout broke"); };\n' });
        const { code, stdout, stderr } = runPinstack(["status"], { cwd: project.dir, env: { NODE_OPTIONS: `--require ${project.file("crash.js")}` } });
        assert.equal(code, ExitCode.internal);
        assert.equal(code, 3);
        assert.equal(stdout, "");
        assert.match(stderr, /^internal error: TypeError: stdout broke\n {4}at /);
        assert.match(stderr, /this is a bug in pinstack, not a problem with your files/);
    });

    it("bad input stays 2", () => {
        const project = tempProject(threeStacks());
        assert.equal(runPinstack(["diff", "staging", "prod"], { cwd: project.dir }).code, ExitCode.badInput);
    });
});
