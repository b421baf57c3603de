import { strict as assert } from "assert";
import { referenceParseCases } from "../unit/lib/reference/distribution-cases";
import { DIGEST, threeStacks } from "./fixtures";
import { ensureBuilt, jsonLines, removeTempProjects, runPinstack, snapshot, tempProject, TempProject } from "./helpers";

const CONTRACT_KEYS = ["input", "valid", "domain", "name", "path", "tag", "digest", "allowed", "violations", "error"];

describe("pinstack verify-image (process)", function () {
    this.timeout(120_000);
    let project: TempProject;
    let filesBefore: Record<string, string>;
    before(ensureBuilt);
    beforeEach(() => {
        project = tempProject(threeStacks());
        filesBefore = snapshot(project.dir);
    });
    afterEach(() => assert.deepEqual(snapshot(project.dir), filesBefore, "verify-image wrote a file"));
    after(removeTempProjects);

    const verify = (...args: string[]) => runPinstack(["verify-image", ...args], { cwd: project.dir });

    it("exit 0 and one contract line for an allowed reference", () => {
        const { code, stdout, stderr } = verify("ghcr.io/example/backend:2023.05.2", "--stack", "staging", "--service", "backend", "--json");
        assert.equal(code, 0, stderr);
        const [line] = jsonLines(stdout);
        assert.deepEqual(Object.keys(line), CONTRACT_KEYS);
        assert.deepEqual(line, {
            input: "ghcr.io/example/backend:2023.05.2",
            valid: true,
            domain: "ghcr.io",
            name: "ghcr.io/example/backend",
            path: "example/backend",
            tag: "2023.05.2",
            digest: "",
            allowed: true,
            violations: [],
            error: "",
        });
    });

    it("a batch gives one line per reference, in input order; exit 1 when a rule refuses one", () => {
        const refs = ["ghcr.io/example/backend:2023.05.2", "ghcr.io/example/backend:Latest", "nginx"];
        const { code, stdout } = verify(...refs, "--stack", "staging", "--json");
        assert.equal(code, 1);
        const lines = jsonLines(stdout);
        assert.deepEqual(lines.map((l) => l.input), refs);
        assert.deepEqual(lines.map((l) => l.allowed), [true, false, false]);
        assert.deepEqual((lines[1].violations as { rule: string }[]).map((v) => v.rule), ["no-mutable-tags"]);
        assert.deepEqual(Object.keys((lines[1].violations as object[])[0]), ["rule", "message"]);
        assert.deepEqual(lines[2], { input: "nginx", valid: true, domain: "", name: "nginx", path: "nginx", tag: "", digest: "", allowed: false, violations: [{ rule: "no-mutable-tags", message: (lines[2].violations as { message: string }[])[0].message }], error: "" });
    });

    it("exit 2 when any reference is invalid, even next to refused ones", () => {
        const { code, stdout } = verify("ghcr.io/example/backend:latest", "ghcr.io/example/backend:latest ", "--stack", "staging", "--json");
        assert.equal(code, 2);
        const [refusedLine, invalid] = jsonLines(stdout);
        assert.equal(refusedLine.allowed, false);
        assert.deepEqual([invalid.valid, invalid.allowed, invalid.name, invalid.tag], [false, false, "", ""]);
        assert.match(String(invalid.error), /space at the end/);
    });

    const invalid: [string, RegExp][] = [
        ["ghcr.io/example/backend:latest ", /whitespace/],
        ["ghcr.io/example/back end:1.0.0", /whitespace/],
        ["ghcr.io/Example/backend:1.0.0", /lowercase: 'Example'/],
        ["ghcr.io/example/backend@sha256:1234", /too short/],
        [`ghcr.io/example/backend@sha256:${"a".repeat(65)}`, /64 hex digits/],
        [`ghcr.io/example/backend@md5:${"a".repeat(32)}`, /not supported/],
    ];
    for (const [reference, reason] of invalid) {
        it(`invalid reference ${JSON.stringify(reference.slice(0, 50))}: exit 2, the reason in JSON and on stderr-free human output`, () => {
            const json = verify(reference, "--stack", "staging", "--json");
            assert.equal(json.code, 2);
            const [line] = jsonLines(json.stdout);
            assert.equal(line.valid, false);
            assert.match(String(line.error), reason);
            const human = verify(reference, "--stack", "staging");
            assert.equal(human.code, 2);
            assert.match(human.stdout, /^invalid/);
            assert.match(human.stdout, reason);
        });
    }

    const refusedTags: [string, string, string, string][] = [
        ["Latest", "backend", "staging", "no-mutable-tags"],
        ["1.2", "api", "staging", "tag-scheme"],
        ["01.2.3", "api", "staging", "tag-scheme"],
        ["v1.2.3", "api", "staging", "tag-scheme"],
        ["2023.6.1", "backend", "staging", "tag-scheme"],
        ["2023.13.1", "backend", "staging", "tag-scheme"],
        ["2023.05.1", "backend", "production", "digest-required"],
        ["1.5.0-rc.1", "api", "production", "no-prereleases"],
    ];
    for (const [tag, service, stack, rule] of refusedTags) {
        it(`tag ${tag} for ${service} on ${stack}: exit 1, refused by ${rule}`, () => {
            const { code, stdout } = verify(`ghcr.io/example/${service}:${tag}`, "--stack", stack, "--service", service, "--json");
            assert.equal(code, 1);
            const [line] = jsonLines(stdout);
            assert.equal(line.valid, true);
            assert.equal(line.allowed, false);
            assert.ok((line.violations as { rule: string }[]).some((v) => v.rule === rule), JSON.stringify(line.violations));
        });
    }

    it("without --service the scheme is not checked; with it, it is", () => {
        assert.equal(verify("ghcr.io/example/backend:2023.6.1", "--stack", "staging").code, 0);
        assert.equal(verify("ghcr.io/example/backend:2023.6.1", "--stack", "staging", "--service", "backend").code, 1);
    });

    it("production takes a digest-pinned final release", () => {
        const { code, stderr } = verify(`ghcr.io/example/backend:2023.05.1@${DIGEST}`, "--stack", "production", "--service", "backend");
        assert.equal(code, 0, stderr);
    });

    it("advisory findings (playground) are warnings: allowed, exit 0, not in the contract's violations", () => {
        const { code, stdout, stderr } = verify("ghcr.io/example/backend:latest", "--stack", "playground", "--json");
        assert.equal(code, 0);
        const [line] = jsonLines(stdout);
        assert.deepEqual([line.allowed, line.violations], [true, []]);
        assert.match(stderr, /warning: .*no-mutable-tags/);
    });

    it("the human report says allowed / refused with the rule and what to do, without colour on a pipe", () => {
        const { stdout } = verify("ghcr.io/example/backend:2023.05.2", "ghcr.io/example/backend:latest", "--stack", "staging");
        assert.match(stdout, /^allowed {2}ghcr.io\/example\/backend:2023.05.2$/m);
        assert.match(stdout, /^refused {2}ghcr.io\/example\/backend:latest$/m);
        assert.match(stdout, /error \[no-mutable-tags\] .*pin a version tag/);
        assert.ok(!stdout.includes("\u001b["), "no ANSI codes when stdout is not a TTY");
    });

    it("an unknown stack or service is bad input (exit 2) that names the known ones", () => {
        const stack = verify("x:1.0.0", "--stack", "prod");
        assert.equal(stack.code, 2);
        assert.match(stack.stderr, /unknown stack 'prod'/);
        assert.match(stack.stderr, /playground, production, staging/);
        const service = verify("x:1.0.0", "--stack", "staging", "--service", "frontend");
        assert.equal(service.code, 2);
        assert.match(service.stderr, /unknown service 'frontend' in stack staging/);
        assert.match(service.stderr, /backend, api/);
    });

    it("a missing --stack is a usage error (exit 2)", () => {
        const { code, stderr } = verify("x:1.0.0");
        assert.equal(code, 2);
        assert.match(stderr, /--stack/);
    });

    it("a malformed stack file is bad input naming file and line", () => {
        project.write("Pulumi.staging.yaml", "config:\n  pinstack:environment: staging\n  pinstack:services: [\n");
        filesBefore = snapshot(project.dir);
        const { code, stderr } = verify("x:1.0.0", "--stack", "staging");
        assert.equal(code, 2);
        assert.match(stderr, /Pulumi\.staging\.yaml:\d+:\d+: malformed YAML/);
    });

    it("--help shows an example", () => {
        const { code, stdout } = verify("--help");
        assert.equal(code, 0);
        assert.match(stdout, /Examples:\n {2}\$ pinstack verify-image/);
    });

    it("agrees with distribution/reference's published cases (one batch, in order)", () => {
        const cases = referenceParseCases.filter((c) => c.input !== "");
        const { code, stdout } = verify(...cases.map((c) => c.input), "--stack", "playground", "--json");
        assert.equal(code, 2, "the batch holds invalid references");
        const lines = jsonLines(stdout);
        assert.equal(lines.length, cases.length);
        cases.forEach((c, i) => {
            const line = lines[i];
            assert.equal(line.input, c.input);
            assert.equal(line.valid, !c.err, c.input);
            if (!c.err) {
                assert.deepEqual([line.name, line.domain, line.tag, line.digest], [c.repository ?? "", c.domain ?? "", c.tag ?? "", c.digest ?? ""], c.input);
            }
        });
    });
});
