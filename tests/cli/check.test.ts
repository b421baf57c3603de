import { strict as assert } from "assert";
import { PLAYGROUND, STAGING, threeStacks } from "./fixtures";
import { ensureBuilt, jsonLines, removeTempProjects, repoStackFiles, runPinstack, snapshot, tempProject, TempProject } from "./helpers";

describe("pinstack check (process)", function () {
    this.timeout(120_000);
    let project: TempProject;
    let filesBefore: Record<string, string>;
    before(ensureBuilt);
    beforeEach(() => {
        project = tempProject(threeStacks());
        filesBefore = snapshot(project.dir);
    });
    afterEach(() => assert.deepEqual(snapshot(project.dir), filesBefore, "check wrote a file"));
    after(removeTempProjects);

    /** Replaces the staging file (before the snapshot is taken) and runs check. */
    function checkWith(staging: string, ...args: string[]) {
        project.write("Pulumi.staging.yaml", staging);
        filesBefore = snapshot(project.dir);
        return runPinstack(["check", ...args], { cwd: project.dir });
    }

    it("valid stacks: exit 0, a summary per stack", () => {
        const { code, stdout, stderr } = runPinstack(["check"], { cwd: project.dir });
        assert.equal(code, 0, stdout + stderr);
        assert.match(stdout, /^playground: ok, 0 errors, 0 warnings$/m);
        assert.match(stdout, /^staging: ok, 0 errors, 0 warnings$/m);
        assert.match(stdout, /^production: ok, 0 errors, 0 warnings$/m);
    });

    it("--json: one violation per line, then a summary per stack", () => {
        project.write("Pulumi.playground.yaml", PLAYGROUND.replace("tag: 2023.06.1", "tag: latest"));
        filesBefore = snapshot(project.dir);
        const { code, stdout } = runPinstack(["check", "--json"], { cwd: project.dir });
        assert.equal(code, 0);
        const lines = jsonLines(stdout);
        const summaries = lines.filter((l) => l.type === "summary");
        assert.deepEqual(summaries.map((s) => [s.stack, s.errors, s.warnings, s.ok]), [["playground", 0, 1, true], ["staging", 0, 0, true], ["production", 0, 0, true]]);
        const violations = lines.filter((l) => l.type === "violation");
        assert.equal(violations.length, 1);
        assert.deepEqual(Object.keys(violations[0]), ["type", "stack", "rule", "level", "message", "subject", "file", "line", "column", "key"]);
        assert.deepEqual([violations[0].rule, violations[0].level, violations[0].key], ["no-mutable-tags", "advisory", "pinstack:services.backend.tag"]);
    });

    it("the repository's own stack files pass; production pins stripped of provenance are refused (exit 1)", () => {
        const files = repoStackFiles();
        const repo = tempProject(files);
        const { code, stdout, stderr } = runPinstack(["check"], { cwd: repo.dir });
        assert.equal(code, 0, stdout + stderr);
        repo.write("Pulumi.production.yaml", files["Pulumi.production.yaml"].replace(/ +provenance:\n(?: {8}.*\n)+/g, ""));
        const typedIn = runPinstack(["check", "--stack", "production", "--json"], { cwd: repo.dir });
        assert.equal(typedIn.code, 1);
        const violations = jsonLines(typedIn.stdout).filter((l) => l.type === "violation");
        assert.ok(violations.length >= 3);
        assert.ok(violations.every((l) => l.rule === "provenance" && /typed in/.test(String(l.message))));
    });

    const refused: [string, string, string, RegExp][] = [
        ["tag: Latest", "tag: 2023.05.1", "Latest", /Pulumi\.staging\.yaml:10:7: pinstack:services\.backend\.tag: error \[no-mutable-tags\]/],
        ["a calver tag with a one-digit month", "tag: 2023.05.1", "tag: 2023.6.1", /:10:7: pinstack:services\.backend\.tag: error \[tag-scheme\] .*month '6'.*write 2023\.06\.1/],
        ["a calver tag with month 13", "tag: 2023.05.1", "tag: 2023.13.1", /:10:7: .*error \[tag-scheme\] .*not a month/],
        ["a partial semver tag", "tag: 1.4.2", "tag: \"1.2\"", /:15:7: pinstack:services\.api\.tag: error \[tag-scheme\] .*partial version/],
        ["a semver tag with a leading zero", "tag: 1.4.2", "tag: 01.2.3", /:15:7: .*error \[tag-scheme\] .*leading zero/],
        ["a package range", "version: 10.8.5rc1", "version: '>=10.8'", /:19:7: pinstack:packages\.ukrdc-services\.version: error \[exact-package-pins\]/],
        ["a branch tag", "tag: 2023.05.1", "tag: main", /error \[no-mutable-tags\] .*branch-like tag 'main'/],
    ];
    for (const [what, from, to, message] of refused) {
        it(`${what}: exit 1, naming file, line and key`, () => {
            const { code, stdout } = checkWith(STAGING.replace(from, to.includes(":") ? to : `tag: ${to}`), "--stack", "staging");
            assert.equal(code, 1, stdout);
            assert.match(stdout, message);
            assert.match(stdout, /^staging: refused, 1 error, 0 warnings$/m);
        });
    }

    const bad: [string, string, RegExp][] = [
        ["malformed YAML", STAGING.replace("      port: 8000", "      port: [8000"), /error: Pulumi\.staging\.yaml:\d+:\d+: malformed YAML/],
        ["a key of the wrong type", STAGING.replace("port: 8000", "port: eighty"), /error: Pulumi\.staging\.yaml:12:7: pinstack:services\.backend\.port: must be a whole number, not the string 'eighty'/],
        ["an unknown key", STAGING.replace("port: 8000", "prot: 8000"), /error: Pulumi\.staging\.yaml:12:7: pinstack:services\.backend\.prot: unknown key 'prot'; did you mean 'port'\?/],
        ["an empty file", "", /error: Pulumi\.staging\.yaml:1: the stack file is empty/],
        ["a tag with a trailing space", STAGING.replace("tag: 2023.05.1", 'tag: "latest "'), /error: Pulumi\.staging\.yaml:10:7: pinstack:services\.backend\.tag: invalid tag: .*space at the end/],
        ["an uppercase repository", STAGING.replace("ghcr.io/example/backend", "ghcr.io/Example/backend"), /pinstack:services\.backend\.image: invalid image: the repository name must be lowercase/],
        ["an invalid digest", STAGING.replace("tag: 2023.05.1", "tag: 2023.05.1\n      digest: sha256:xyz"), /pinstack:services\.backend\.digest: invalid digest/],
        ["an unknown environment", STAGING.replace("environment: staging", "environment: qa"), /:3:3: pinstack:environment: unknown environment 'qa'/],
    ];
    for (const [what, text, message] of bad) {
        it(`${what}: exit 2 with a clear message`, () => {
            const { code, stdout, stderr } = checkWith(text);
            assert.equal(code, 2, stdout + stderr);
            assert.match(stderr, message);
            assert.match(stderr, /fix: /);
            assert.equal(stdout, "", "nothing on stdout when the input is bad");
        });
    }

    for (const tag of ["my-feature-branch", "release-1.2"]) {
        it(`refuses a staging sidecar on the branch-like tag ${tag} (exit 1, no-mutable-tags at its line)`, () => {
            const sidecar = `      sidecars:\n        - name: proxy\n          image: ghcr.io/example/proxy\n          tag: ${tag}\n`;
            const { code, stdout } = checkWith(STAGING.replace("      port: 8000\n", `      port: 8000\n${sidecar}`), "--stack", "staging");
            assert.equal(code, 1, stdout);
            assert.match(stdout, new RegExp(`Pulumi\\.staging\\.yaml:\\d+:\\d+: pinstack:services\\.backend\\.sidecars\\[0\\]: error \\[no-mutable-tags\\] .*branch-like tag '${tag.replace(/\./g, "\\.")}'`));
        });
    }

    it("passes a staging sidecar on a variant tag (1.25.3-alpine) and on a commit build of a branch (main-3f2a9c1)", () => {
        for (const tag of ["1.25.3-alpine", "main-3f2a9c1"]) {
            const sidecar = `      sidecars:\n        - name: proxy\n          image: ghcr.io/example/proxy\n          tag: ${tag}\n`;
            const { code, stdout } = checkWith(STAGING.replace("      port: 8000\n", `      port: 8000\n${sidecar}`), "--stack", "staging");
            assert.equal(code, 0, `${tag}: ${stdout}`);
        }
    });

    it("never prints a secure: value, even when reporting a problem", () => {
        const { code, stdout, stderr } = checkWith(STAGING.replace("port: 8000", "port: eighty"));
        assert.equal(code, 2);
        assert.ok(!(stdout + stderr).includes("TOPSECRET"));
        const json = runPinstack(["check", "--json"], { cwd: project.dir });
        assert.ok(!(json.stdout + json.stderr).includes("TOPSECRET"));
    });

    it("a secret where pinstack must read the value (readiness, tag, hold): exit 2 naming file, line and key, never the ciphertext", () => {
        for (const [where, staging] of [
            ["pinstack:services.backend.readiness", STAGING.replace("      port: 8000\n", "      port: 8000\n      readiness:\n        secure: v1:Q0lQSEVSVEVYVDE=\n")],
            ["pinstack:services.api.tag", STAGING.replace("      tag: 1.4.2\n", "      tag:\n        secure: v1:Q0lQSEVSVEVYVDE=\n")],
            ["pinstack:hold", STAGING.replace("  pinstack:namespace: staging\n", "  pinstack:namespace: staging\n  pinstack:hold:\n    secure: v1:Q0lQSEVSVEVYVDE=\n")],
        ] as const) {
            const { code, stdout, stderr } = checkWith(staging, "--stack", "staging");
            assert.equal(code, 2, `${where}: ${stdout}${stderr}`);
            const line = staging.split("\n").findIndex((l) => l.includes("secure: v1:Q0lQ")) ;
            assert.match(stderr, new RegExp(`Pulumi\\.staging\\.yaml:${line}:\\d+: ${where.replace(/[.:]/g, "\\$&")}: a secret \\(secure:\\) cannot stand here`), stderr);
            assert.ok(!(stdout + stderr).includes("Q0lQ"), "the ciphertext is printed");
        }
        // A secret env, entry by entry or the whole map, is fine: check cannot read it, the program judges it.
        const env = STAGING.replace("      port: 8000\n", "      port: 8000\n      env:\n        secure: v1:Q0lQSEVSVEVYVDE=\n");
        assert.equal(checkWith(env, "--stack", "staging").code, 0);
    });

    it("an unquoted tag Pulumi would read as a number or a time: exit 2 at its line, with the quoted form to write", () => {
        for (const [written, reads] of [["1.20", "the number 1.2"], ["0x1A", "the number 26"], ["2023-04-02", "a time"]] as const) {
            const { code, stdout, stderr } = checkWith(STAGING.replace("tag: 1.4.2", `tag: ${written}`), "--stack", "staging");
            assert.equal(code, 2, stdout + stderr);
            const line = STAGING.split("\n").findIndex((l) => l.includes("tag: 1.4.2")) + 1;
            assert.ok(stderr.includes(`Pulumi.staging.yaml:${line}:7: pinstack:services.api.tag: unquoted ${written} is not the text "${written}" to Pulumi: YAML makes it ${reads}`), stderr);
            assert.ok(stderr.includes(`write it quoted: tag: "${written}"`), stderr);
        }
    });

    it("an unknown stack is bad input (exit 2)", () => {
        const { code, stderr } = runPinstack(["check", "--stack", "prod"], { cwd: project.dir });
        assert.equal(code, 2);
        assert.match(stderr, /unknown stack 'prod'/);
    });

    it("a directory without stack files is bad input (exit 2)", () => {
        const empty = tempProject({});
        const { code, stderr } = runPinstack(["check"], { cwd: empty.dir });
        assert.equal(code, 2);
        assert.match(stderr, /no stack files/);
    });

    it("-C reads another directory", () => {
        const { code, stdout } = runPinstack(["-C", project.dir, "check", "--stack", "staging"]);
        assert.equal(code, 0);
        assert.match(stdout, /staging: ok/);
    });

    it("gates from CI: --gate and --commit-message", () => {
        const abort = runPinstack(["check", "--stack", "production", "--commit-message", "Merge #7 [load test: abort]", "--gate", "loadTestPassed=false"], { cwd: project.dir });
        assert.equal(abort.code, 1);
        assert.match(abort.stdout, /error \[load-test-gate\]/);
        const warn = runPinstack(["check", "--stack", "production", "--gate", "loadTest=warn", "--gate", "loadTestPassed=false"], { cwd: project.dir });
        assert.equal(warn.code, 0);
        assert.match(warn.stdout, /warning \[load-test-gate\]/);
        const strict = runPinstack(["check", "--stack", "production", "--strict-gates", "--gate", "loadTest=skip"], { cwd: project.dir });
        assert.equal(strict.code, 1);
        assert.match(strict.stdout, /\[acceptance-checklist\]/);
        const bogus = runPinstack(["check", "--gate", "loadTest=maybe"], { cwd: project.dir });
        assert.equal(bogus.code, 2);
        assert.match(bogus.stderr, /loadTest must be abort, skip or warn/);
        // A misspelt label is bad input, not "no label" (which would warn where the commit asked to abort).
        const typo = runPinstack(["check", "--stack", "production", "--commit-message", "Merge #7 [load test: abrot]", "--gate", "loadTestPassed=false"], { cwd: project.dir });
        assert.equal(typo.code, 2, typo.stdout);
        assert.match(typo.stderr, /--commit-message: unknown mode 'abrot': \[load test: abrot\]/);
    });

    it("advisory findings in playground do not fail the check", () => {
        project.write("Pulumi.playground.yaml", PLAYGROUND.replace("tag: 2023.06.1", "tag: latest"));
        filesBefore = snapshot(project.dir);
        const { code, stdout } = runPinstack(["check", "--stack", "playground"], { cwd: project.dir });
        assert.equal(code, 0);
        assert.match(stdout, /warning \[no-mutable-tags\]/);
    });

    it("--help shows an example and the exit codes", () => {
        const { code, stdout } = runPinstack(["check", "--help"]);
        assert.equal(code, 0);
        assert.match(stdout, /\$ pinstack check --stack production --json/);
        assert.match(stdout, /Exit codes: 0/);
    });
});
