import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import type { IncomingMessage, ServerResponse } from "http";
import * as path from "path";
import { renderLedger } from "../../lib/ledger";
import { digest, productionYaml, stagingYaml } from "../unit/promote/support/project";
import { LoopbackServer, manifestFor, sendManifest, startLoopback } from "../unit/promote/support/loopback-registry";
import { deployedFile, fakePulumi, FakePulumi } from "./fake-pulumi";
import { ensureBuilt, removeTempProjects, repoRoot, runPinstackAsync, tempProject, TempProject } from "./helpers";

/**
 * `pinstack promote` writes Pulumi.production.yaml and pinstack.ledger.json as a pair. Here a
 * real promote process is stopped at each step of that write (PINSTACK_TEST_PAUSE_AT, honoured
 * only under NODE_ENV=test) and killed with SIGKILL; the next pinstack command must leave the
 * pair consistent — both files as they were, or both as the promotion wrote them, byte for
 * byte — with no temporary file and no journal left, and say on stderr what it did.
 */
describe("pinstack promote killed at every step of its write (process)", function () {
    this.timeout(180_000);
    const backend = manifestFor("backend 2023.05.1");
    let registry: LoopbackServer;
    let pulumi: FakePulumi;
    let project: TempProject;
    const STACK = "Pulumi.production.yaml";
    const LEDGER = "pinstack.ledger.json";

    before(ensureBuilt);
    before(async () => {
        registry = await startLoopback((req: IncomingMessage, res: ServerResponse) => {
            if (req.url === "/v2/example/backend/manifests/2023.05.1") sendManifest(req, res, backend);
            else res.writeHead(404).end();
        });
    });
    after(async () => {
        await registry?.stop();
        removeTempProjects();
    });
    afterEach(() => pulumi.remove());

    const ledgerBefore = () =>
        renderLedger({
            version: 1,
            tags: { [`${registry.host}/example/frontend:2023.04.3`]: { digest: digest("9"), at: "2023-05-02T09:30:00Z", by: "release-manager@example.org", stack: "production", from: "staging" } },
        });

    function freshProject(withLedger: boolean): { stack: string; ledger: string | null } {
        project = tempProject({
            "Pulumi.yaml": "name: pinstack\nruntime: nodejs\n",
            "Pulumi.staging.yaml": stagingYaml({ registry: registry.host }),
            [STACK]: productionYaml({ registry: registry.host }),
            ...(withLedger ? { [LEDGER]: ledgerBefore() } : {}),
        });
        pulumi = fakePulumi();
        pulumi.setHistory("staging", [deployedFile(project.file("Pulumi.staging.yaml"), { minutesAgo: 120, message: "deploy staging" })]);
        return { stack: project.read(STACK), ledger: withLedger ? project.read(LEDGER) : null };
    }

    const env = (extra: NodeJS.ProcessEnv = {}) => ({ ...pulumi.env, PINSTACK_ACTOR: "ci@example.org", ...extra });
    const promoteArgs = ["promote", "staging", "production", "--service", "backend", "--reason", "Release 2023.05.1"];

    /** Starts promote, waits until it reports the pause at `step`, SIGKILLs it and waits for it to die. */
    function promoteKilledAt(step: string): Promise<void> {
        return new Promise((resolve, reject) => {
            const child = spawn(process.execPath, [path.join(repoRoot, "bin", "pinstack.js"), ...promoteArgs], {
                cwd: project.dir,
                env: { ...process.env, ...env({ NODE_ENV: "test", PINSTACK_TEST_PAUSE_AT: step }) },
                stdio: ["ignore", "pipe", "pipe"],
            });
            let stderr = "";
            let paused = false;
            child.stderr.on("data", (chunk) => {
                stderr += String(chunk);
                if (!paused && stderr.includes(`pinstack: paused at ${step}\n`)) {
                    paused = true;
                    child.kill("SIGKILL");
                }
            });
            child.on("error", reject);
            child.on("exit", (code, signal) => {
                if (paused && signal === "SIGKILL") resolve();
                else reject(new Error(`promote did not pause at ${step} (exit ${code}, signal ${signal}):\n${stderr}`));
            });
        });
    }

    /** The project's files other than the pair and the two stacks' own inputs: temporaries, journals. */
    const strays = () => fs.readdirSync(project.dir).filter((name) => ![STACK, LEDGER, "Pulumi.yaml", "Pulumi.staging.yaml"].includes(name));

    /** The pinstack temporary holding `name`'s new text while the write is stopped, if any. */
    const temporaryOf = (name: string) => {
        const found = fs.readdirSync(project.dir).filter((n) => n.startsWith(`.${name}.`) && n.endsWith(".tmp"));
        assert.ok(found.length <= 1, `one temporary for ${name} at most: ${found.join(", ")}`);
        return found.length === 1 ? fs.readFileSync(path.join(project.dir, found[0]), "utf8") : undefined;
    };
    const textOrNull = (name: string) => (fs.existsSync(project.file(name)) ? project.read(name) : null);

    const steps: { step: string; outcome: "rolled back" | "completed" }[] = [
        { step: "journal-written", outcome: "rolled back" },
        { step: "temp-0-written", outcome: "rolled back" },
        { step: "temp-1-written", outcome: "rolled back" },
        { step: "rename-0-done", outcome: "completed" },
        { step: "rename-1-done", outcome: "completed" },
        { step: "renames-done", outcome: "completed" },
    ];
    // Every step with a ledger already there; without one (the first promotion) the two kinds of outcome.
    const cases = [...steps.map((s) => ({ ...s, withLedger: true })), ...steps.filter((s) => s.step === "temp-1-written" || s.step === "rename-0-done").map((s) => ({ ...s, withLedger: false }))];
    for (const { step, outcome, withLedger } of cases) {
        it(`killed at ${step}${withLedger ? "" : " (no ledger yet)"}: the next command ${outcome === "completed" ? "completes the write" : "rolls it back"}, the pair is consistent, nothing stray`, async () => {
            const before = freshProject(withLedger);
            await promoteKilledAt(step);
            // What the promotion was writing, as it is on disk at the kill: renamed into place or still in its temporary.
            const newStack = temporaryOf(STACK) ?? (project.read(STACK) !== before.stack ? project.read(STACK) : undefined);
            const newLedger = temporaryOf(LEDGER) ?? (textOrNull(LEDGER) !== before.ledger ? textOrNull(LEDGER) : undefined);
            if (step === "rename-0-done") {
                // The tear the journal exists for: the stack file is new, the ledger is not.
                assert.notEqual(project.read(STACK), before.stack);
                assert.equal(textOrNull(LEDGER), before.ledger);
            }
            assert.ok(strays().includes(".pinstack-journal.json"), "the journal is on disk while the write is under way");

            const next = await runPinstackAsync(["status"], { cwd: project.dir, env: env() });
            assert.equal(next.code, 0, next.stderr);
            assert.match(next.stderr, outcome === "completed" ? /was interrupted; completed it: every file now holds the new text/ : /was interrupted; rolled it back: every file holds the text it had before/);
            assert.match(next.stderr, new RegExp(`${STACK}, ${LEDGER}`));
            if (outcome === "rolled back") {
                assert.equal(project.read(STACK), before.stack);
                assert.equal(textOrNull(LEDGER), before.ledger);
            } else {
                assert.ok(newStack !== undefined && newLedger !== undefined, "both new texts were on disk at the kill");
                assert.equal(project.read(STACK), newStack);
                assert.equal(project.read(LEDGER), newLedger);
                assert.match(project.read(STACK), /tag: 2023\.05\.1/);
                assert.equal(JSON.parse(project.read(LEDGER)).tags[`${registry.host}/example/backend:2023.05.1`].digest, backend.digest);
            }
            assert.deepEqual(strays(), []);

            // Recovered once: the command after that has nothing to say, and the promotion can be made (again).
            const again = await runPinstackAsync(promoteArgs, { cwd: project.dir, env: env() });
            assert.equal(again.code, 0, again.stderr);
            assert.doesNotMatch(again.stderr, /interrupted/);
            assert.deepEqual(strays(), []);
        });
    }

    it("killed while the journal is written (before it is in place): the next command removes its temporary, the files are untouched", async () => {
        const before = freshProject(true);
        await promoteKilledAt("journal-temp-written");
        assert.equal(strays().length, 1);
        assert.match(strays()[0], /^\.\.pinstack-journal\.json\.\d+\.[0-9a-f]{8}\.tmp$/);
        const next = await runPinstackAsync(["status"], { cwd: project.dir, env: env() });
        assert.equal(next.code, 0, next.stderr);
        assert.match(next.stderr, /removed 1 temporary file\(s\) an interrupted pinstack left/);
        assert.deepEqual({ stack: project.read(STACK), ledger: textOrNull(LEDGER) }, before);
        assert.deepEqual(strays(), []);
    });

    it("a file changed after the kill is not overwritten: the next command refuses (exit 1) naming it, and the journal stays", async () => {
        freshProject(true);
        await promoteKilledAt("rename-0-done");
        fs.appendFileSync(project.file(LEDGER), "\n");
        const edited = { stack: project.read(STACK), ledger: project.read(LEDGER) };
        const next = await runPinstackAsync(["status"], { cwd: project.dir, env: env() });
        assert.equal(next.code, 1);
        assert.match(next.stderr, /an interrupted pinstack write \(pid \d+, .*\) cannot be recovered: .*pinstack\.ledger\.json changed since/);
        assert.deepEqual({ stack: project.read(STACK), ledger: project.read(LEDGER) }, edited);
        assert.ok(strays().includes(".pinstack-journal.json"));
    });

    it("the pause seam does nothing outside NODE_ENV=test", async () => {
        const before = freshProject(true);
        const run = await runPinstackAsync(promoteArgs, { cwd: project.dir, env: env({ NODE_ENV: "production", PINSTACK_TEST_PAUSE_AT: "rename-0-done" }) });
        assert.equal(run.code, 0, run.stderr);
        assert.notEqual(project.read(STACK), before.stack);
        assert.deepEqual(strays(), []);
    });
});
