import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { readStackFile } from "../../lib/config";
import { verifySeal, serviceSubject } from "../../lib/provenance";
import { gitIn } from "../unit/promote/support/git";
import { fakePulumi, FakePulumi, historyEntry } from "./fake-pulumi";
import { PLAYGROUND, PROJECT, STAGING } from "./fixtures";
import { ensureBuilt, jsonLines, removeTempProjects, repoRoot, runPinstack, snapshot, tempProject, TempProject } from "./helpers";

/**
 * Freezes as processes: windows declared in the stack file, `pinstack freeze`, and what
 * promote, check, status and history make of them. Time comes from --now / PINSTACK_NOW.
 */
const WEEKEND = "Fri 16:00 - Mon 08:00 Europe/London";
// Friday 11 December 2026, 17:00 in London (GMT): inside the weekend window; Wednesday is outside.
const FRIDAY = "2026-12-11T17:00:00Z";
const WEDNESDAY = "2026-12-09T12:00:00Z";

function stagingWith(windows: readonly string[]): string {
    return STAGING.replace("  pinstack:namespace: staging\n", `  pinstack:namespace: staging\n  pinstack:freeze:\n    windows:\n${windows.map((w) => `      - ${w}\n`).join("")}`);
}

describe("pinstack freeze, and promote/check/status/history under a freeze (process)", function () {
    this.timeout(180_000);
    let project: TempProject;
    let pulumi: FakePulumi;
    before(ensureBuilt);
    beforeEach(() => {
        pulumi = fakePulumi();
        pulumi.setHistory("staging", []);
    });
    afterEach(() => pulumi.remove());
    after(removeTempProjects);

    const run = (args: string[], now?: string) => runPinstack(args, { cwd: project.dir, env: { ...pulumi.env, PINSTACK_ACTOR: "rm@example.org", ...(now ? { PINSTACK_NOW: now } : {}) } });
    const promote = (now: string, ...extra: string[]) => run(["promote", "playground", "staging", "--service", "backend", "--allow-undeployed", "--reason", "2023.06.1 for QA", ...extra], now);

    it("a window it cannot read is bad input naming file, line and key; nothing runs", () => {
        project = tempProject({ "Pulumi.yaml": PROJECT, "Pulumi.staging.yaml": stagingWith([WEEKEND, "Fri 16:00 - Mon 08:00 Europe/Londn"]), "Pulumi.playground.yaml": PLAYGROUND });
        const before = snapshot(project.dir);
        const check = run(["check", "--stack", "staging"]);
        assert.equal(check.code, 2, check.stdout + check.stderr);
        assert.match(check.stderr, /Pulumi\.staging\.yaml:8:\d+: pinstack:freeze\.windows\[1\]: freeze window: 'Europe\/Londn' is not a known IANA time zone/);
        const promoted = promote(WEDNESDAY);
        assert.equal(promoted.code, 2);
        assert.deepEqual(snapshot(project.dir), before);
        const badNow = run(["check", "--stack", "staging", "--now", "Friday"]);
        assert.equal(badNow.code, 2);
        assert.match(badNow.stderr, /--now: 'Friday' is not an ISO time with a zone/);
    });

    it("promote is refused inside a window, naming it and its end; passes outside it and with --break-glass, which the sealed provenance and history record", () => {
        project = tempProject({ "Pulumi.yaml": PROJECT, "Pulumi.staging.yaml": stagingWith([WEEKEND]), "Pulumi.playground.yaml": PLAYGROUND });
        gitIn(project.dir, ["init", "-q", "-b", "main"]);
        gitIn(project.dir, ["add", "-A"]);
        gitIn(project.dir, ["commit", "-q", "-m", "initial"]);
        const before = snapshot(project.dir);
        const refusedNow = promote(FRIDAY);
        assert.equal(refusedNow.code, 1, refusedNow.stdout + refusedNow.stderr);
        assert.match(refusedNow.stderr, /staging is frozen: freeze window 'Fri 16:00 - Mon 08:00 Europe\/London', until 2026-12-14T08:00:00Z; cannot promote playground -> staging/);
        assert.match(refusedNow.stderr, /only rollbacks pass/);
        assert.match(refusedNow.stderr, /--break-glass/);
        assert.deepEqual(snapshot(project.dir), before, "a refused promotion writes nothing");
        // --now wins over PINSTACK_NOW.
        assert.equal(promote(WEDNESDAY, "--now", FRIDAY).code, 1);
        assert.equal(promote(FRIDAY, "--now", WEDNESDAY, "--dry-run").code, 0);
        const notFrozen = promote(WEDNESDAY, "--break-glass");
        assert.equal(notFrozen.code, 2, "break-glass where there is no freeze");
        assert.match(notFrozen.stderr, /--break-glass: staging is not frozen/);

        const glass = promote(FRIDAY, "--break-glass", "--json");
        assert.equal(glass.code, 0, glass.stderr);
        const [line] = jsonLines(glass.stdout);
        assert.deepEqual((line.provenance as Record<string, unknown>).breakGlass, { freeze: WEEKEND, until: "2026-12-14T08:00:00Z" });
        const backend = readStackFile(project.file("Pulumi.staging.yaml")).raw["pinstack:services"] as Record<string, Record<string, unknown>>;
        const provenance = JSON.parse(JSON.stringify(backend.backend.provenance));
        const subject = serviceSubject({ name: "backend", image: "ghcr.io/example/backend", tag: "2023.06.1" });
        assert.equal(verifySeal(subject, provenance), true, "the seal covers the break-glass record");
        assert.equal(verifySeal(subject, { ...provenance, breakGlass: undefined }), false, "removing the record breaks the seal");
        assert.equal(run(["check", "--stack", "staging"], FRIDAY).code, 0, "a break-glass change passes check inside the window");

        // The pull request comment says so first.
        project.write("preview.json", fs.readFileSync(path.join(repoRoot, "tests", "fixtures", "preview", "small.json"), "utf8"));
        const comment = run(["ci", "comment", "--stack", "staging", "--preview", "preview.json", "--base-ref", "main"], FRIDAY);
        assert.equal(comment.code, 0, comment.stderr);
        const lines = comment.stdout.split("\n");
        assert.equal(lines[3], "> **Frozen:** freeze window 'Fri 16:00 - Mon 08:00 Europe/London', until 2026-12-14T08:00:00Z. Only rollbacks pass, or a promotion with `--break-glass`.");
        assert.equal(lines[5], "> **Break-glass:** service backend promoted through Fri 16:00 - Mon 08:00 Europe/London (until 2026-12-14T08:00:00Z) by rm@example.org: 2023.06.1 for QA");

        gitIn(project.dir, ["commit", "-qam", "emergency fix"]);
        const history = run(["history", "staging"]);
        assert.equal(history.code, 0, history.stderr);
        assert.match(history.stdout, /service backend: .*\(from playground, break-glass through Fri 16:00 - Mon 08:00 Europe\/London\)/);
    });

    it("verify-image refuses any image for a frozen stack, naming the window (rule hold), and passes it outside", () => {
        project = tempProject({ "Pulumi.yaml": PROJECT, "Pulumi.staging.yaml": stagingWith([WEEKEND]), "Pulumi.playground.yaml": PLAYGROUND });
        const frozen = run(["verify-image", "ghcr.io/example/backend:2023.06.1", "--stack", "staging", "--json"], FRIDAY);
        assert.equal(frozen.code, 1, frozen.stdout + frozen.stderr);
        const [line] = jsonLines(frozen.stdout);
        assert.deepEqual((line.violations as { rule: string; message: string }[]).map((v) => [v.rule, v.message]), [
            ["hold", "image ghcr.io/example/backend:2023.06.1 cannot be deployed now: staging is frozen: freeze window 'Fri 16:00 - Mon 08:00 Europe/London', until 2026-12-14T08:00:00Z: only rollbacks pass"],
        ]);
        assert.equal(run(["verify-image", "ghcr.io/example/backend:2023.06.1", "--stack", "staging", "--now", WEDNESDAY], FRIDAY).code, 0);
    });

    it("a rollback passes inside a window, and check accepts what it wrote", () => {
        project = tempProject({ "Pulumi.yaml": PROJECT, "Pulumi.staging.yaml": stagingWith([WEEKEND]), "Pulumi.playground.yaml": PLAYGROUND });
        const configOf = () => JSON.parse(JSON.stringify(readStackFile(project.file("Pulumi.staging.yaml")).raw)) as Record<string, unknown>;
        const before = configOf();
        assert.equal(promote(WEDNESDAY).code, 0);
        pulumi.setHistory("staging", [historyEntry({ minutesAgo: 30, message: "2023.06.1", config: configOf() }), historyEntry({ minutesAgo: 600, message: "May", config: before })]);
        const rollback = run(["rollback", "staging", "--reason", "500s after 2023.06.1"], FRIDAY);
        assert.equal(rollback.code, 0, rollback.stderr);
        assert.match(rollback.stdout, /service backend +2023\.06\.1 -> 2023\.05\.1/);
        const check = run(["check", "--stack", "staging"], FRIDAY);
        assert.equal(check.code, 0, check.stdout + check.stderr);
        assert.match(check.stdout, /staging: frozen: freeze window 'Fri 16:00 - Mon 08:00 Europe\/London', until 2026-12-14T08:00:00Z/);
    });

    it("ci policy-config passes the freeze and the pins that broke the glass to the pack (hold.freeze)", () => {
        project = tempProject({ "Pulumi.yaml": PROJECT, "Pulumi.staging.yaml": stagingWith([WEEKEND]), "Pulumi.playground.yaml": PLAYGROUND, "policies/config.staging.json": JSON.stringify({ hold: { enforcementLevel: "mandatory", preset: "staging" } }), "outputs.json": "{}" });
        const merged = (now: string) => {
            const result = run(["ci", "policy-config", "-s", "staging", "--outputs", "outputs.json"], now);
            assert.equal(result.code, 0, result.stderr);
            return JSON.parse(result.stdout) as { hold: Record<string, unknown> };
        };
        assert.deepEqual(merged(WEDNESDAY), { hold: { enforcementLevel: "mandatory", preset: "staging" } }, "not frozen: the config as it was");
        assert.deepEqual(merged(FRIDAY).hold.freeze, { name: WEEKEND, until: "2026-12-14T08:00:00Z", breakGlass: [] });
        const glass = promote(FRIDAY, "--break-glass");
        assert.equal(glass.code, 0, glass.stderr);
        assert.deepEqual(merged("2026-12-12T10:00:00Z").hold.freeze, { name: WEEKEND, until: "2026-12-14T08:00:00Z", breakGlass: ["backend"] });
        assert.deepEqual(merged("2026-12-18T17:00:00Z").hold.freeze, { name: WEEKEND, until: "2026-12-21T08:00:00Z", breakGlass: [] }, "next weekend: that break-glass was for the last one");
    });

    it("ci policy-config: the deployed stack's freeze (the program's freeze output) holds though the change deletes it", () => {
        project = tempProject({ "Pulumi.yaml": PROJECT, "Pulumi.staging.yaml": STAGING, "Pulumi.playground.yaml": PLAYGROUND, "policies/config.staging.json": JSON.stringify({ hold: { enforcementLevel: "mandatory", preset: "staging" } }) });
        const active = { reason: "incident #951", by: "oncall@example.org", at: "2026-12-08T09:00:00Z", until: "2026-12-08T18:00:00Z" };
        project.write("outputs.json", JSON.stringify({ hold: false, freeze: { windows: [], active } }));
        const result = run(["ci", "policy-config", "-s", "staging", "--outputs", "outputs.json"], "2026-12-08T10:00:00Z");
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual((JSON.parse(result.stdout) as { hold: Record<string, unknown> }).hold.freeze, { name: "ad-hoc freeze", until: active.until, by: active.by, reason: active.reason, breakGlass: [] });
        project.write("outputs.json", JSON.stringify({ hold: false, freeze: { windows: ["Fri 16:00 - Mon 08:00 Mars/Olympus"], active: null } }));
        const bad = run(["ci", "policy-config", "-s", "staging", "--outputs", "outputs.json"], "2026-12-08T10:00:00Z");
        assert.equal(bad.code, 2);
        assert.match(bad.stderr, /outputs\.json: the `freeze` output has a window pinstack cannot read/);
    });

    it("ci hold-gate refuses a deploy that lifts the freeze and moves a pin in one change; a deploy of the freeze itself passes", () => {
        project = tempProject({ "Pulumi.yaml": PROJECT, "Pulumi.staging.yaml": STAGING, "Pulumi.playground.yaml": PLAYGROUND });
        gitIn(project.dir, ["init", "-q", "-b", "main"]);
        const now = "2026-12-08T10:00:00Z";
        assert.equal(run(["freeze", "staging", "--reason", "incident #951", "--until", "2026-12-08T18:00:00Z"], "2026-12-08T09:00:00Z").code, 0);
        gitIn(project.dir, ["add", "-A"]);
        gitIn(project.dir, ["commit", "-q", "-m", "freeze staging"]);
        const sha = gitIn(project.dir, ["rev-parse", "HEAD"]).trim();
        const history = JSON.stringify([{ ...historyEntry({ minutesAgo: 10, config: JSON.parse(JSON.stringify(readStackFile(project.file("Pulumi.staging.yaml")).raw)) }), environment: { "git.head": sha } }]);
        const gate = () => runPinstack(["ci", "hold-gate", "-s", "staging", "--history", "-", "--json"], { cwd: project.dir, input: history, env: { PINSTACK_NOW: now } });
        const same = gate();
        assert.equal(same.code, 0, same.stdout + same.stderr);
        assert.deepEqual([jsonLines(same.stdout)[0].frozen, jsonLines(same.stdout)[0].refused], [true, false]);

        assert.equal(run(["freeze", "staging", "--clear", "--reason", "no longer needed"], now).code, 0);
        assert.equal(promote(now).code, 0);
        gitIn(project.dir, ["commit", "-qam", "lift the freeze and promote"]);
        const refusedNow = gate();
        assert.equal(refusedNow.code, 1, refusedNow.stdout);
        const [line] = jsonLines(refusedNow.stdout);
        assert.match(String(line.message), /^service backend moved .*: staging is frozen: ad-hoc freeze set by rm@example\.org \(incident #951\), until 2026-12-08T18:00:00Z/);
    });

    it("check refuses a pin promoted during the freeze that is neither a rollback nor break-glass, and reports the freeze", () => {
        project = tempProject({ "Pulumi.yaml": PROJECT, "Pulumi.staging.yaml": STAGING, "Pulumi.playground.yaml": PLAYGROUND });
        assert.equal(promote("2026-12-21T10:00:00Z").code, 0);
        // The holiday freeze is declared after a promotion prepared inside it was written.
        project.write("Pulumi.staging.yaml", project.read("Pulumi.staging.yaml").replace("  pinstack:namespace: staging\n", "  pinstack:namespace: staging\n  pinstack:freeze:\n    windows: [ 2026-12-20 - 2027-01-04 Europe/London ]\n"));
        const check = run(["check", "--stack", "staging", "--json"], "2026-12-22T10:00:00Z");
        assert.equal(check.code, 1, check.stdout + check.stderr);
        const summary = jsonLines(check.stdout).find((l) => l.type === "summary")!;
        assert.equal(summary.ok, false);
        assert.deepEqual(summary.frozen, { name: "2026-12-20 - 2027-01-04 Europe/London", until: "2027-01-05T00:00:00Z", changes: [{ kind: "service", name: "backend", at: "2026-12-21T10:00:00Z" }] });
        const text = run(["check", "--stack", "staging"], "2026-12-22T10:00:00Z");
        assert.match(text.stdout, /error: staging is frozen: freeze window '2026-12-20 - 2027-01-04 Europe\/London', until 2027-01-05T00:00:00Z; service backend was promoted at 2026-12-21T10:00:00Z, during the freeze/);
        assert.equal(run(["check", "--stack", "staging"], "2027-01-05T00:00:00Z").code, 0, "after the window");
    });

    it("pinstack freeze sets an ad-hoc freeze (who, why, until), shown by status and history; --clear lifts it", () => {
        project = tempProject({ "Pulumi.yaml": PROJECT, "Pulumi.staging.yaml": STAGING, "Pulumi.playground.yaml": PLAYGROUND });
        gitIn(project.dir, ["init", "-q", "-b", "main"]);
        gitIn(project.dir, ["add", "-A"]);
        gitIn(project.dir, ["commit", "-q", "-m", "initial"]);
        const original = project.read("Pulumi.staging.yaml");
        const before = snapshot(project.dir);
        const past = run(["freeze", "staging", "--reason", "incident #951", "--until", "2026-12-08T08:00:00Z"], "2026-12-08T09:00:00Z");
        assert.equal(past.code, 2);
        assert.match(past.stderr, /--until 2026-12-08T08:00:00Z is not in the future/);
        assert.equal(run(["freeze", "staging", "--reason", "x", "--until", "tonight"], "2026-12-08T09:00:00Z").code, 2);
        assert.deepEqual(snapshot(project.dir), before);

        const set = run(["freeze", "staging", "--reason", "incident #951", "--until", "2026-12-08T18:00:00Z", "--json"], "2026-12-08T09:00:00Z");
        assert.equal(set.code, 0, set.stderr);
        assert.deepEqual(jsonLines(set.stdout), [{ stack: "staging", frozen: true, until: "2026-12-08T18:00:00Z", changed: true, written: true }]);
        const frozen = project.read("Pulumi.staging.yaml");
        assert.ok(frozen.startsWith(original), "freeze changed lines other than its own");
        assert.match(frozen.slice(original.length), /^  pinstack:freeze:\n    active:\n      reason: "incident #951"\n      by: rm@example.org\n      at: "2026-12-08T09:00:00Z"\n      until: "2026-12-08T18:00:00Z"\n  pinstack:lastChange:\n    command: freeze\n/);

        const refusedNow = promote("2026-12-08T10:00:00Z");
        assert.equal(refusedNow.code, 1);
        assert.match(refusedNow.stderr, /staging is frozen: an ad-hoc freeze set by rm@example\.org at 2026-12-08T09:00:00Z \(incident #951\), until 2026-12-08T18:00:00Z/);
        assert.equal(promote("2026-12-08T18:00:00Z", "--dry-run").code, 0, "it ends by itself at --until");

        const status = run(["status"], "2026-12-08T10:00:00Z");
        assert.match(status.stdout, /staging is frozen: an ad-hoc freeze set by rm@example\.org/);
        const statusJson = jsonLines(run(["status", "--json"], "2026-12-08T10:00:00Z").stdout).filter((l) => l.kind === "freeze");
        assert.deepEqual(statusJson, [{ kind: "freeze", stack: "staging", freeze: "ad-hoc", name: "ad-hoc freeze", by: "rm@example.org", reason: "incident #951", since: "2026-12-08T09:00:00.000Z", until: "2026-12-08T18:00:00.000Z" }]);
        assert.equal(jsonLines(run(["status", "--json"], "2026-12-08T19:00:00Z").stdout).filter((l) => l.kind === "freeze").length, 0);

        gitIn(project.dir, ["commit", "-qam", "freeze staging"]);
        const history = run(["history", "staging"]);
        assert.match(history.stdout, /freeze by rm@example\.org: incident #951\n    frozen by rm@example\.org: incident #951 \(until 2026-12-08T18:00:00Z\)/);

        const clear = run(["freeze", "staging", "--clear", "--reason", "incident #951 resolved"], "2026-12-08T11:00:00Z");
        assert.equal(clear.code, 0, clear.stderr);
        assert.match(clear.stdout, /staging: ad-hoc freeze lifted/);
        assert.doesNotMatch(project.read("Pulumi.staging.yaml"), /active:/);
        assert.match(project.read("Pulumi.staging.yaml"), /command: freeze-clear/);
        assert.equal(promote("2026-12-08T11:00:00Z", "--dry-run").code, 0);
        const again = run(["freeze", "staging", "--clear", "--reason", "again"], "2026-12-08T11:00:00Z");
        assert.match(again.stdout, /no ad-hoc freeze; nothing written/);
    });
});
