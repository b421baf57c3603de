import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PinstackError } from "../../../../lib/errors";
import { JOURNAL_FILE, journalEntry, recoverInterruptedWrite } from "../../../../lib/config/journal";

/**
 * The recovery decision of lib/config/journal, from journals written as a killed writer would
 * have left them (tests/cli/kill.test.ts kills real processes; here each state is set up
 * exactly, including ones a kill rarely hits).
 */
describe("lib/config/journal: recovering an interrupted write", () => {
    let dir: string;
    const file = (name: string) => path.join(dir, name);
    const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid as number;
    const OLD = { stack: "config:\n  a: 1\n", ledger: '{"version":1,"tags":{}}\n' };
    const NEW = { stack: "config:\n  a: 2\n", ledger: '{"version":1,"tags":{"x":1}}\n' };
    const temp = (name: string, pid: number) => file(`.${name}.${pid}.0badc0de.tmp`);

    /** A journal of `pid` writing NEW over OLD for the stack file and the ledger. */
    function journal(pid: number, ledgerOld: string | null = OLD.ledger): void {
        const entries = [
            journalEntry(file("Pulumi.s.yaml"), file("Pulumi.s.yaml"), OLD.stack, NEW.stack, temp("Pulumi.s.yaml", pid)),
            journalEntry(file("pinstack.ledger.json"), file("pinstack.ledger.json"), ledgerOld, NEW.ledger, temp("pinstack.ledger.json", pid)),
        ];
        fs.writeFileSync(file(JOURNAL_FILE), JSON.stringify({ version: 1, pid, started: "2026-12-08T00:00:00.000Z", entries }));
    }
    const files = () => ({ stack: fs.readFileSync(file("Pulumi.s.yaml"), "utf8"), ledger: fs.existsSync(file("pinstack.ledger.json")) ? fs.readFileSync(file("pinstack.ledger.json"), "utf8") : null });

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinstack-journal-"));
        fs.writeFileSync(file("Pulumi.s.yaml"), OLD.stack);
        fs.writeFileSync(file("pinstack.ledger.json"), OLD.ledger);
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("nothing to do without a journal or temporaries", () => {
        assert.equal(recoverInterruptedWrite(dir), undefined);
    });

    it("one file renamed, the other's temporary intact: completed", () => {
        const pid = deadPid();
        journal(pid);
        fs.writeFileSync(file("Pulumi.s.yaml"), NEW.stack);
        fs.writeFileSync(temp("pinstack.ledger.json", pid), NEW.ledger);
        assert.equal(recoverInterruptedWrite(dir)?.action, "completed");
        assert.deepEqual(files(), NEW);
        assert.deepEqual(fs.readdirSync(dir).sort(), ["Pulumi.s.yaml", "pinstack.ledger.json"]);
    });

    it("one file renamed but the other's temporary lost or damaged: rolled back to the old texts", () => {
        const pid = deadPid();
        journal(pid);
        fs.writeFileSync(file("Pulumi.s.yaml"), NEW.stack);
        fs.writeFileSync(temp("pinstack.ledger.json", pid), NEW.ledger.slice(0, 10));
        assert.equal(recoverInterruptedWrite(dir)?.action, "rolled back");
        assert.deepEqual(files(), OLD);
        assert.deepEqual(fs.readdirSync(dir).sort(), ["Pulumi.s.yaml", "pinstack.ledger.json"]);
    });

    it("a ledger that did not exist before is removed when the write is rolled back", () => {
        const pid = deadPid();
        journal(pid, null);
        fs.writeFileSync(file("pinstack.ledger.json"), NEW.ledger);
        // The stack file's temporary is missing: the ledger landed first and cannot be completed.
        assert.equal(recoverInterruptedWrite(dir)?.action, "rolled back");
        assert.deepEqual(files(), { stack: OLD.stack, ledger: null });
    });

    it("the journal of a writer still running is left alone", () => {
        journal(process.pid === 1 ? 2 : 1);
        assert.equal(recoverInterruptedWrite(dir), undefined);
        assert.ok(fs.existsSync(file(JOURNAL_FILE)));
    });

    it("a journal that is not one is refused (exit 1), nothing touched", () => {
        fs.writeFileSync(file(JOURNAL_FILE), "{not json");
        assert.throws(() => recoverInterruptedWrite(dir), (e: unknown) => e instanceof PinstackError && e.exitCode === 1 && /is not a pinstack journal/.test(e.message));
        assert.deepEqual(files(), OLD);
        assert.ok(fs.existsSync(file(JOURNAL_FILE)));
    });
});
