import { strict as assert } from "assert";
import { gitIn } from "../unit/promote/support/git";
import { ensureBuilt, jsonLines, removeTempProjects, runPinstack, snapshot, tempProject } from "./helpers";

describe("pinstack bump (process)", function () {
    this.timeout(120_000);
    before(ensureBuilt);
    after(removeTempProjects);

    const bump = (args: string[], cwd?: string) => runPinstack(["bump", ...args], { cwd });

    it("prints the next version for each runbook's scheme", () => {
        const cases: [string[], string][] = [
            [["patch", "1.7.5"], "1.7.6"],
            [["auto", "1.7.5", "--milestone"], "1.8.0"],
            [["auto", "1.7.5"], "1.7.6"],
            [["rc", "10.8.4"], "10.8.5rc1"],
            [["rc", "10.8.5rc1"], "10.8.5rc2"],
            [["final", "10.8.5rc2"], "10.8.5"],
            [["calver", "2023.06.1", "--date", "2023-06-30"], "2023.06.2"],
            [["calver", "2023.06.2", "--date", "2023-07-03"], "2023.07.1"],
        ];
        for (const [args, expected] of cases) {
            const { code, stdout, stderr } = bump(args);
            assert.equal(code, 0, `${args.join(" ")}: ${stderr}`);
            assert.equal(stdout, `${expected}\n`, args.join(" "));
        }
    });

    it("--json prints from, to, part and scheme", () => {
        const { code, stdout } = bump(["rc", "10.8.4", "--json"]);
        assert.equal(code, 0);
        assert.deepEqual(jsonLines(stdout), [{ from: "10.8.4", to: "10.8.5rc1", part: "rc", scheme: "pep440" }]);
    });

    it("without a version, bumps the newest tag of the scheme reachable from HEAD", () => {
        const project = tempProject({ "README.md": "x\n" });
        gitIn(project.dir, ["init", "-q", "-b", "main"]);
        gitIn(project.dir, ["add", "."]);
        gitIn(project.dir, ["commit", "-q", "-m", "init"]);
        for (const tag of ["2023.05.3", "2023.06.1", "2023.06.2", "not-a-version"]) gitIn(project.dir, ["tag", tag]);
        const before = snapshot(project.dir);
        const { code, stdout, stderr } = bump(["calver", "--date", "2023-06-30"], project.dir);
        assert.equal(code, 0, stderr);
        assert.equal(stdout, "2023.06.3\n");
        assert.deepEqual(snapshot(project.dir), before, "bump wrote a file");
    });

    it("exit 2 with what, why and fix for bad input", () => {
        for (const args of [["patch", "latest"], ["sideways", "1.2.3"], ["major", "2023.06.1"], ["final", "10.8.5"], ["calver", "2023.06.1", "--date", "2023-13-01"], ["patch", "1.2.3", "--milestone"]]) {
            const { code, stderr } = bump(args);
            assert.equal(code, 2, `${args.join(" ")} exited ${code}`);
            assert.match(stderr, /^error: /, args.join(" "));
        }
        const { stderr } = bump(["major", "2023.06.1"]);
        assert.match(stderr, /calendar versions move with the clock/);
        assert.match(stderr, /fix: use `pinstack bump calver 2023\.06\.1`/);
    });

    it("exit 2 when no version is given and no tag fits", () => {
        const project = tempProject({ "README.md": "x\n" });
        gitIn(project.dir, ["init", "-q", "-b", "main"]);
        gitIn(project.dir, ["add", "."]);
        gitIn(project.dir, ["commit", "-q", "-m", "init"]);
        const { code, stderr } = bump(["patch"], project.dir);
        assert.equal(code, 2);
        assert.match(stderr, /no version tag is reachable from HEAD/);
    });
});
