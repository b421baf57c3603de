import { strict as assert } from "assert";
import { ensureBuilt, jsonLines, removeTempProjects, runPinstack, snapshot, tempProject } from "./helpers";

const CHANGES = `Changelog
=========

2.1.3 (unreleased)
------------------

-   Fix a race in the superevent manager.

2.1.2 (2023-05-01)
------------------

-   Update dependencies.
`;

describe("pinstack changelog release (process)", function () {
    this.timeout(120_000);
    before(ensureBuilt);
    after(removeTempProjects);

    it("dates the section in CHANGES.rst and opens the next with 'No changes yet'", () => {
        const project = tempProject({ "CHANGES.rst": CHANGES });
        const { code, stdout, stderr } = runPinstack(["changelog", "release", "2.1.3", "--date", "2023-06-30"], { cwd: project.dir });
        assert.equal(code, 0, stderr);
        assert.match(stdout, /CHANGES\.rst: 2\.1\.3 \(unreleased\) -> 2\.1\.3 \(2023-06-30\); opened 2\.1\.4 \(unreleased\)/);
        assert.equal(
            project.read("CHANGES.rst"),
            CHANGES.replace("2.1.3 (unreleased)", "2.1.4 (unreleased)\n------------------\n\n-   No changes yet\n\n2.1.3 (2023-06-30)"),
        );
        // GWCelery's next step is tagging; releasing again must refuse: the new section is empty.
        const again = runPinstack(["changelog", "release", "2.1.4", "--date", "2023-07-01"], { cwd: project.dir });
        assert.equal(again.code, 1);
        assert.match(again.stderr, /lists no changes/);
    });

    it("CHANGELOG.md through --file, --next, --json; -C names the project", () => {
        const project = tempProject({ "docs/CHANGELOG.md": "# Changelog\n\n## 0.4.0 (unreleased)\n\n- New thing\n" });
        const { code, stdout, stderr } = runPinstack(["-C", project.dir, "changelog", "release", "0.4.0", "--file", "docs/CHANGELOG.md", "--date", "2024-02-29", "--next", "0.5.0", "--json"]);
        assert.equal(code, 0, stderr);
        const [line] = jsonLines(stdout);
        assert.equal(line.version, "0.4.0");
        assert.equal(line.next, "0.5.0");
        assert.equal(line.date, "2024-02-29");
        assert.equal(project.read("docs/CHANGELOG.md"), "# Changelog\n\n## 0.5.0 (unreleased)\n\n- No changes yet\n\n## 0.4.0 (2024-02-29)\n\n- New thing\n");
    });

    it("--dry-run writes nothing", () => {
        const project = tempProject({ "CHANGES.rst": CHANGES });
        const before = snapshot(project.dir);
        const { code, stdout } = runPinstack(["changelog", "release", "2.1.3", "--dry-run"], { cwd: project.dir });
        assert.equal(code, 0);
        assert.match(stdout, /dry run: nothing written/);
        assert.deepEqual(snapshot(project.dir), before);
    });

    it("refuses (exit 1, file unchanged) when the version disagrees or the section is missing", () => {
        const project = tempProject({ "CHANGES.rst": CHANGES });
        const before = snapshot(project.dir);
        const wrong = runPinstack(["changelog", "release", "2.2.0"], { cwd: project.dir });
        assert.equal(wrong.code, 1);
        assert.match(wrong.stderr, /CHANGES\.rst:4:1: .*unreleased section is 2\.1\.3, not 2\.2\.0/);
        assert.match(wrong.stderr, /fix: /);
        project.write("CHANGES.rst", CHANGES.replace("2.1.3 (unreleased)", "2.1.3 (2023-06-01)"));
        const snap = snapshot(project.dir);
        const missing = runPinstack(["changelog", "release", "2.1.3"], { cwd: project.dir });
        assert.equal(missing.code, 1);
        assert.match(missing.stderr, /no unreleased section/);
        assert.deepEqual(snapshot(project.dir), snap);
        assert.notDeepEqual(before, snap);
    });

    it("exit 2 when there is no change log, or the version or date is not one", () => {
        const empty = tempProject({});
        const none = runPinstack(["changelog", "release", "1.0.0"], { cwd: empty.dir });
        assert.equal(none.code, 2);
        assert.match(none.stderr, /no change log in/);
        const project = tempProject({ "CHANGES.rst": CHANGES });
        assert.equal(runPinstack(["changelog", "release", "2.1.3", "--date", "tomorrow"], { cwd: project.dir }).code, 2);
        assert.equal(runPinstack(["changelog", "release", "two"], { cwd: project.dir }).code, 2);
        assert.equal(runPinstack(["changelog", "release", "2.1.3", "--file", "nope.rst"], { cwd: project.dir }).code, 2);
    });
});
