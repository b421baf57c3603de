import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import { readStackFile } from "../../lib/config";
import { applyChanges, planPromotion } from "../../lib/promote";
import { BACKEND, digest, environment, fakeRegistry, FRONTEND, productionYaml, stagingYaml } from "../unit/promote/support/project";
import { fakePulumi, FakePulumi, historyEntry } from "./fake-pulumi";
import { threeStacks } from "./fixtures";
import { ensureBuilt, removeTempProjects, runPinstack, snapshot, tempProject } from "./helpers";

/**
 * What every pinstack write promises beyond all-or-nothing (docs/writes.md): a symlinked file
 * is written through its link, a read-only file is refused, a write still under way is not
 * interrupted by a second one, a dead writer's leftovers are removed, and the file's line
 * endings are kept.
 */
describe("pinstack writes (process)", function () {
    this.timeout(120_000);
    before(ensureBuilt);
    after(removeTempProjects);

    const hold = (dir: string, ...extra: string[]) => runPinstack(["hold", "staging", "--reason", "incident #940", ...extra], { cwd: dir, env: { PINSTACK_ACTOR: "oncall@example.org" } });

    describe("symlinked stack files", () => {
        it("are written through the link: the link stays a link and the shared target gets the change", () => {
            const shared = tempProject({ "staging.yaml": threeStacks()["Pulumi.staging.yaml"] });
            const project = tempProject({ ...threeStacks(), "Pulumi.staging.yaml": "" });
            fs.rmSync(project.file("Pulumi.staging.yaml"));
            fs.symlinkSync(shared.file("staging.yaml"), project.file("Pulumi.staging.yaml"));
            const { code, stderr } = hold(project.dir);
            assert.equal(code, 0, stderr);
            assert.ok(fs.lstatSync(project.file("Pulumi.staging.yaml")).isSymbolicLink(), "still a symlink");
            assert.equal(fs.readlinkSync(project.file("Pulumi.staging.yaml")), shared.file("staging.yaml"));
            assert.match(shared.read("staging.yaml"), /^  pinstack:hold: true$/m);
            assert.deepEqual(fs.readdirSync(shared.dir), ["staging.yaml"], "no temporary left next to the target");
        });

        it("a chain of relative links is followed to the file at its end", () => {
            const project = tempProject({ ...threeStacks(), "shared/real/staging.yaml": threeStacks()["Pulumi.staging.yaml"] });
            fs.rmSync(project.file("Pulumi.staging.yaml"));
            fs.symlinkSync("real/staging.yaml", project.file("shared/current.yaml"));
            fs.symlinkSync("shared/current.yaml", project.file("Pulumi.staging.yaml"));
            assert.equal(hold(project.dir).code, 0);
            assert.equal(fs.readlinkSync(project.file("Pulumi.staging.yaml")), "shared/current.yaml");
            assert.equal(fs.readlinkSync(project.file("shared/current.yaml")), "real/staging.yaml");
            assert.match(project.read("shared/real/staging.yaml"), /^  pinstack:hold: true$/m);
        });
    });

    it("a symlink to nothing is bad input (exit 2), and stays as it was", () => {
        const project = tempProject(threeStacks());
        fs.rmSync(project.file("Pulumi.staging.yaml"));
        fs.symlinkSync("gone/staging.yaml", project.file("Pulumi.staging.yaml"));
        const { code, stderr } = hold(project.dir);
        assert.equal(code, 2);
        assert.match(stderr, /Pulumi\.staging\.yaml/);
        assert.equal(fs.readlinkSync(project.file("Pulumi.staging.yaml")), "gone/staging.yaml");
        assert.ok(!fs.existsSync(project.file("gone")));
    });

    describe("read-only files", () => {
        it("a read-only (0444) stack file is refused with exit 2 naming it; nothing changes", () => {
            const project = tempProject(threeStacks());
            fs.chmodSync(project.file("Pulumi.staging.yaml"), 0o444);
            const before = snapshot(project.dir);
            const { code, stderr } = hold(project.dir);
            assert.equal(code, 2, stderr);
            assert.match(stderr, /^error: .*Pulumi\.staging\.yaml is read-only \(mode 0444\); nothing was written\n  why: .*\n  fix: make it writable \(chmod u\+w .*Pulumi\.staging\.yaml\)/);
            assert.deepEqual(snapshot(project.dir), before);
            assert.equal(fs.statSync(project.file("Pulumi.staging.yaml")).mode & 0o777, 0o444);
        });

        it("a read-only target behind a symlink is refused the same way, naming the link and its target", () => {
            const shared = tempProject({ "staging.yaml": threeStacks()["Pulumi.staging.yaml"] });
            const project = tempProject(threeStacks());
            fs.rmSync(project.file("Pulumi.staging.yaml"));
            fs.symlinkSync(shared.file("staging.yaml"), project.file("Pulumi.staging.yaml"));
            fs.chmodSync(shared.file("staging.yaml"), 0o444);
            const before = snapshot(shared.dir);
            const { code, stderr } = hold(project.dir);
            assert.equal(code, 2);
            assert.match(stderr, new RegExp(`Pulumi\\.staging\\.yaml \\(-> ${shared.file("staging.yaml").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\) is read-only`));
            assert.deepEqual(snapshot(shared.dir), before);
        });

        it("a read-only ledger refuses the promotion (exit 2) before the stack file is touched", async () => {
            const project = tempProject({ "Pulumi.yaml": "name: pinstack\nruntime: nodejs\n", "Pulumi.staging.yaml": stagingYaml(), "Pulumi.production.yaml": productionYaml() });
            // The ledger a first promotion wrote, then made read-only; the second promotion must add a record to it.
            const first = await planPromotion({ from: "staging", to: "production", services: ["frontend"], reason: "r", allowUndeployed: true }, environment(project.dir, {}, new Date()), fakeRegistry({ [`${FRONTEND}:2023.05.4`]: digest("f") }));
            applyChanges([first.stackEdit, first.ledgerChange]);
            fs.chmodSync(project.file("pinstack.ledger.json"), 0o444);
            const before = snapshot(project.dir);
            const second = await planPromotion({ from: "staging", to: "production", services: ["backend"], reason: "r", allowUndeployed: true }, environment(project.dir, {}, new Date()), fakeRegistry({ [`${BACKEND}:2023.05.1`]: digest("a") }));
            assert.throws(
                () => applyChanges([second.stackEdit, second.ledgerChange]),
                (e: unknown) => e instanceof Error && (e as { exitCode?: number }).exitCode === 2 && /pinstack\.ledger\.json is read-only \(mode 0444\)/.test(e.message),
            );
            assert.deepEqual(snapshot(project.dir), before);
        });

        it("--dry-run on a read-only file is not a write and is not refused", () => {
            const project = tempProject(threeStacks());
            fs.chmodSync(project.file("Pulumi.staging.yaml"), 0o444);
            assert.equal(hold(project.dir, "--dry-run").code, 0);
        });
    });

    describe("the recovery journal", () => {
        it("a write is refused (exit 1) while another pinstack that is still running holds the journal; reads go on", () => {
            const project = tempProject(threeStacks());
            // This test's own process stands for the running writer.
            project.write(".pinstack-journal.json", JSON.stringify({ version: 1, pid: process.pid, started: new Date().toISOString(), entries: [] }));
            const before = snapshot(project.dir);
            const write = hold(project.dir);
            assert.equal(write.code, 1);
            assert.match(write.stderr, new RegExp(`another pinstack \\(pid ${process.pid}\\) is writing in `));
            assert.deepEqual(snapshot(project.dir), before);
            const read = runPinstack(["status"], { cwd: project.dir });
            assert.equal(read.code, 0, read.stderr);
            assert.deepEqual(snapshot(project.dir), before);
        });

        it("temporary files a dead pinstack left are removed by the next command, which says so; a live one's are kept", () => {
            const project = tempProject(threeStacks());
            const dead = spawnSync(process.execPath, ["-e", ""]).pid as number;
            project.write(`.Pulumi.staging.yaml.${dead}.0123abcd.tmp`, "half a stack file");
            project.write(`.Pulumi.staging.yaml.${process.pid}.4567cdef.tmp`, "a live writer's");
            const { code, stderr } = runPinstack(["status"], { cwd: project.dir });
            assert.equal(code, 0, stderr);
            assert.match(stderr, new RegExp(`removed 1 temporary file\\(s\\) an interrupted pinstack left: \\.Pulumi\\.staging\\.yaml\\.${dead}\\.0123abcd\\.tmp`));
            assert.deepEqual(fs.readdirSync(project.dir).filter((n) => n.endsWith(".tmp")), [`.Pulumi.staging.yaml.${process.pid}.4567cdef.tmp`]);
        });
    });

    describe("line endings", () => {
        const crlf = (text: string) => text.replace(/\n/g, "\r\n");
        /** Every line break is CRLF. */
        const allCrlf = (text: string) => !/(^|[^\r])\n/.test(text) && text.includes("\r\n");

        it("hold and hold --clear keep a CRLF stack file all-CRLF", () => {
            const project = tempProject({ ...threeStacks(), "Pulumi.staging.yaml": crlf(threeStacks()["Pulumi.staging.yaml"]) });
            const before = project.read("Pulumi.staging.yaml");
            assert.equal(hold(project.dir).code, 0);
            const held = project.read("Pulumi.staging.yaml");
            assert.notEqual(held, before);
            assert.ok(allCrlf(held), JSON.stringify(held.slice(-200)));
            assert.equal(runPinstack(["hold", "staging", "--clear", "--reason", "over"], { cwd: project.dir }).code, 0);
            assert.ok(allCrlf(project.read("Pulumi.staging.yaml")));
        });

        it("promote keeps a CRLF target all-CRLF (new keys included)", () => {
            const project = tempProject({ ...threeStacks(), "Pulumi.staging.yaml": crlf(threeStacks()["Pulumi.staging.yaml"]) });
            const { code, stderr } = runPinstack(["promote", "playground", "staging", "--service", "backend", "--reason", "nightly", "--allow-undeployed"], { cwd: project.dir, env: { PINSTACK_ACTOR: "ci@example.org" } });
            assert.equal(code, 0, stderr);
            const after = project.read("Pulumi.staging.yaml");
            assert.match(after, /tag: 2023\.06\.1\r\n/);
            assert.match(after, /provenance:\r\n/);
            assert.ok(allCrlf(after));
        });

        describe("rollback", () => {
            let pulumi: FakePulumi;
            afterEach(() => pulumi?.remove());
            it("keeps a CRLF stack file and ledger all-CRLF", async () => {
                const project = tempProject({ "Pulumi.yaml": "name: pinstack\nruntime: nodejs\n", "Pulumi.staging.yaml": stagingYaml(), "Pulumi.production.yaml": productionYaml() });
                const configOf = (file: string) => JSON.parse(JSON.stringify(readStackFile(file).raw)) as Record<string, unknown>;
                pulumi = fakePulumi();
                const deployedBefore = configOf(project.file("Pulumi.production.yaml"));
                const plan = await planPromotion({ from: "staging", to: "production", reason: "Release", allowUndeployed: true }, environment(project.dir, {}, new Date()), fakeRegistry({ [`${BACKEND}:2023.05.1`]: digest("a"), [`${FRONTEND}:2023.05.4`]: digest("f") }));
                applyChanges([plan.stackEdit, plan.ledgerChange]);
                for (const name of ["Pulumi.production.yaml", "pinstack.ledger.json"]) project.write(name, crlf(project.read(name)));
                pulumi.setHistory("production", [
                    historyEntry({ minutesAgo: 30, message: "Release", config: configOf(project.file("Pulumi.production.yaml")) }),
                    historyEntry({ minutesAgo: 600, message: "May release", config: deployedBefore }),
                ]);
                const before = project.read("Pulumi.production.yaml");
                const { code, stderr } = runPinstack(["rollback", "production", "--reason", "500s"], { cwd: project.dir, env: { ...pulumi.env, PINSTACK_ACTOR: "oncall@example.org" } });
                assert.equal(code, 0, stderr);
                const after = project.read("Pulumi.production.yaml");
                assert.notEqual(after, before);
                assert.match(after, /pinstack:hold: true\r\n/);
                assert.ok(allCrlf(after));
                assert.ok(allCrlf(project.read("pinstack.ledger.json")));
            });
        });
    });

    it("a file written is left with its mode (0640 stays 0640)", () => {
        const project = tempProject(threeStacks());
        fs.chmodSync(project.file("Pulumi.staging.yaml"), 0o640);
        assert.equal(hold(project.dir).code, 0);
        assert.equal(fs.statSync(project.file("Pulumi.staging.yaml")).mode & 0o777, 0o640);
        assert.deepEqual(fs.readdirSync(project.dir).filter((n) => n.startsWith(".")), []);
    });
});
