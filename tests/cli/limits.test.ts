import { strict as assert } from "assert";
import * as fs from "fs";
import { LEDGER_LIMIT, STACK_FILE_LIMIT } from "../../lib/config/limits";
import { threeStacks } from "./fixtures";
import { ensureBuilt, removeTempProjects, runPinstack, snapshot, tempProject, TempProject } from "./helpers";

/** `text` padded with comment lines to `bytes` bytes: valid YAML that is only big. */
function padded(text: string, bytes: number, comment = "# padding to make the file big\n"): string {
    const times = Math.ceil((bytes - text.length) / comment.length);
    return text + comment.repeat(Math.max(0, times));
}

/**
 * Files over pinstack's size limits (lib/config/limits: 8 MiB per stack file, 32 MiB for the
 * ledger) are refused unread — bad input, exit 2, naming the file, its size and the limit —
 * by every command that reads them, and nothing is written.
 */
describe("pinstack size limits (process)", function () {
    this.timeout(120_000);
    let project: TempProject;
    let pristine: Record<string, string>;
    before(ensureBuilt);
    before(() => {
        project = tempProject(threeStacks());
        project.write("Pulumi.staging.yaml", padded(threeStacks()["Pulumi.staging.yaml"], 50 * 1024 * 1024));
        pristine = snapshot(project.dir);
    });
    after(removeTempProjects);

    const tooBig = /^error: Pulumi\.staging\.yaml: the stack file is 50\.1 MiB \(52428\d\d\d bytes\), over pinstack's limit of 8 MiB \(8388608 bytes\)/;
    const commands: Record<string, string[]> = {
        check: ["check"],
        "check --stack": ["check", "--stack", "staging"],
        promote: ["promote", "playground", "staging", "--reason", "nightly", "--allow-undeployed"],
        hold: ["hold", "staging", "--reason", "incident"],
        status: ["status"],
    };
    for (const [name, args] of Object.entries(commands)) {
        it(`${name}: a 50 MB stack file is refused (exit 2) naming the file, its size and the limit; nothing written`, () => {
            const { code, stderr } = runPinstack(args, { cwd: project.dir });
            assert.equal(code, 2, stderr);
            assert.match(stderr, tooBig);
            assert.match(stderr, /\n  fix: /);
            assert.deepEqual(snapshot(project.dir), pristine);
        });
    }

    it("a ledger over 32 MiB is refused (exit 2) by a promotion, nothing written", () => {
        const small = tempProject(threeStacks());
        small.write("pinstack.ledger.json", `${JSON.stringify({ version: 1, tags: {} })}${" ".repeat(LEDGER_LIMIT)}\n`);
        const was = snapshot(small.dir);
        const { code, stderr } = runPinstack(["promote", "playground", "staging", "--reason", "nightly", "--allow-undeployed"], { cwd: small.dir });
        assert.equal(code, 2, stderr);
        assert.match(stderr, /pinstack\.ledger\.json: the ledger is 32\.1 MiB \(33554\d\d\d bytes\), over pinstack's limit of 32 MiB \(33554432 bytes\)/);
        assert.deepEqual(snapshot(small.dir), was);
    });

    it("a stack file at the limit is read", () => {
        const at = tempProject(threeStacks());
        at.write("Pulumi.staging.yaml", padded(threeStacks()["Pulumi.staging.yaml"], STACK_FILE_LIMIT - 64));
        assert.ok(fs.statSync(at.file("Pulumi.staging.yaml")).size <= STACK_FILE_LIMIT);
        const { code, stderr } = runPinstack(["check", "--stack", "staging"], { cwd: at.dir });
        assert.doesNotMatch(stderr, /over pinstack's limit/);
        assert.equal(code, 0, stderr);
    });
});
