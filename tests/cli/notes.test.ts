import { strict as assert } from "assert";
import { releaseRepository } from "../unit/promote/support/git";
import { ensureBuilt, jsonLines, removeTempProjects, runPinstack, snapshot, tempProject } from "./helpers";

describe("pinstack notes (process)", function () {
    this.timeout(120_000);
    let dir: string;
    before(() => {
        ensureBuilt();
        dir = releaseRepository(tempProject({}).dir);
    });
    after(removeTempProjects);

    it("--ticket prints Fragalysis' release ticket text", () => {
        const before = snapshot(dir);
        const { code, stdout, stderr } = runPinstack(["notes", "2023.06.1", "2023.06.2", "--ticket"], { cwd: dir });
        assert.equal(code, 0, stderr);
        assert.match(stdout, /^Release 2023\.06\.2\n\n- Fix the login redirect #921\n- Add dataset export #922 #7\n- Faster annotation search #930\n/);
        assert.deepEqual(snapshot(dir), before, "notes wrote a file");
    });

    it("prints the notes, and JSON lines with --json", () => {
        const text = runPinstack(["notes", "2023.06.1", "2023.06.2"], { cwd: dir });
        assert.equal(text.code, 0);
        assert.match(text.stdout, /^Release notes for 2023\.06\.2/);
        const json = runPinstack(["notes", "2023.06.1", "2023.06.2", "--json"], { cwd: dir });
        const lines = jsonLines(json.stdout);
        assert.equal(lines.length, 4);
        assert.deepEqual(Object.keys(lines[0]), ["commit", "title", "refs", "author", "date"]);
        assert.deepEqual(lines[2].refs, ["#930"]);
    });

    it("exit 2 for an unknown tag or outside a repository", () => {
        const unknown = runPinstack(["notes", "2023.01.1", "2023.06.2"], { cwd: dir });
        assert.equal(unknown.code, 2);
        assert.match(unknown.stderr, /'2023\.01\.1' names no commit/);
        const outside = tempProject({});
        const none = runPinstack(["notes", "a", "b"], { cwd: outside.dir, env: { GIT_CEILING_DIRECTORIES: require("os").tmpdir() } });
        assert.equal(none.code, 2);
        assert.match(none.stderr, /not inside a git repository/);
    });
});
