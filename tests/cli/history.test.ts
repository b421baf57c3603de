import { strict as assert } from "assert";
import { readStackFile } from "../../lib/config";
import { gitIn } from "../unit/promote/support/git";
import { productionYaml } from "../unit/promote/support/project";
import { fakePulumi, FakePulumi, historyEntry } from "./fake-pulumi";
import { ensureBuilt, jsonLines, removeTempProjects, runPinstack, tempProject, TempProject } from "./helpers";

describe("pinstack history (process)", function () {
    this.timeout(180_000);
    let pulumi: FakePulumi;
    let project: TempProject;
    before(() => {
        ensureBuilt();
        project = tempProject({ "Pulumi.yaml": "name: pinstack\nruntime: nodejs\n", "Pulumi.production.yaml": productionYaml() });
        pulumi = fakePulumi();
        const commitAt = (message: string, minutesAgo: number) => {
            const date = new Date(Date.now() - minutesAgo * 60_000).toISOString();
            gitIn(project.dir, ["add", "-A"]);
            gitIn(project.dir, ["commit", "-q", "-m", message], { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });
        };
        gitIn(project.dir, ["init", "-q", "-b", "main"]);
        commitAt("Initial production pins", 120);
        const deployed = JSON.parse(JSON.stringify(readStackFile(project.file("Pulumi.production.yaml")).raw));
        const held = runPinstack(["hold", "production", "--reason", "freeze for the audit"], { cwd: project.dir, env: { PINSTACK_ACTOR: "auditor@example.org" } });
        assert.equal(held.code, 0, held.stderr);
        commitAt("Freeze production", 60);
        pulumi.setHistory("production", [
            historyEntry({ minutesAgo: 30, kind: "refresh", config: deployed }),
            historyEntry({ minutesAgo: 100, message: "May release", config: deployed }),
        ]);
    });
    after(() => {
        pulumi.remove();
        removeTempProjects();
    });

    it("--json: one line per change and update, newest first, with reasons and joined updates", () => {
        const { code, stdout, stderr } = runPinstack(["history", "production", "--json"], { cwd: project.dir, env: pulumi.env });
        assert.equal(code, 0, stderr);
        const lines = jsonLines(stdout);
        assert.deepEqual(lines.map((l) => `${l.type}:${l.type === "change" ? l.message : l.kind}`), ["update:refresh", "change:Freeze production", "change:Initial production pins"]);
        const [, freeze, initial] = lines;
        assert.deepEqual([freeze.command, freeze.reason, freeze.by, freeze.hold], ["hold", "freeze for the audit", "auditor@example.org", true]);
        assert.deepEqual((initial.updates as { version: number; result: string; message: string }[]).map((u) => [u.version, u.result, u.message]), [[1, "succeeded", "May release"]]);
        assert.equal((initial.changes as unknown[]).length, 3);
        assert.equal(typeof initial.commit, "string");
    });

    it("prints a readable trail for people", () => {
        const { code, stdout } = runPinstack(["history", "production"], { cwd: project.dir, env: pulumi.env });
        assert.equal(code, 0);
        assert.match(stdout, /Freeze production\n {4}hold by auditor@example\.org: freeze for the audit\n {4}on hold: freeze for the audit\n/);
        assert.match(stdout, /service backend: \(none\) -> 2023\.04\.2@sha256:444444444444  \(from staging\)/);
        assert.match(stdout, /deployed: pulumi update 1 succeeded at .*"May release"/);
    });

    it("without Pulumi state it lists the file changes and warns", () => {
        const { code, stdout, stderr } = runPinstack(["history", "production", "--json"], { cwd: project.dir, env: { ...pulumi.env, FAKE_PULUMI_DIR: pulumi.dir, PINSTACK_PULUMI: "/nonexistent/pulumi" } });
        assert.equal(code, 0);
        assert.match(stderr, /warning: the pulumi CLI is not installed/);
        assert.equal(jsonLines(stdout).length, 2);
    });

    it("exit 2 for an unknown stack or outside a git repository", () => {
        assert.equal(runPinstack(["history", "prod"], { cwd: project.dir, env: pulumi.env }).code, 2);
        const outside = tempProject({ "Pulumi.yaml": "name: pinstack\nruntime: nodejs\n", "Pulumi.production.yaml": productionYaml() });
        const { code, stderr } = runPinstack(["history", "production"], { cwd: outside.dir, env: pulumi.env });
        assert.equal(code, 2);
        assert.match(stderr, /not inside a git repository/);
    });
});
