import { strict as assert } from "assert";
import { productionYaml, stagingYaml } from "../unit/promote/support/project";
import { pushImage, RunningRegistry, startRegistry } from "../e2e/support/registry";
import { deployedFile, fakePulumi, FakePulumi } from "./fake-pulumi";
import { ensureBuilt, removeTempProjects, runPinstack, snapshot, tempProject, TempProject } from "./helpers";

/**
 * Issue 20 item 7: the file under review lowered its own gate. `pinstack:environment:
 * playground` in Pulumi.production.yaml, a lowered `pinstack:preset.levels` rule, an empty
 * `registries` or `requireDigest: false` made `check` and `promote` pass what the pack
 * refuses. A stack's floor comes from its name (or policies/config.<stack>.json), and its file
 * may only tighten it: each loosening is refused (exit 1), naming file, line and key, the value
 * set and the floor, and nothing is written.
 */
describe("a stack file may only tighten its floor (process)", function () {
    this.timeout(180_000);
    let registry: RunningRegistry;
    let host: string;
    let pulumi: FakePulumi;
    let project: TempProject;

    before(async () => {
        ensureBuilt();
        registry = await startRegistry();
        host = registry.host;
        await pushImage(registry, "example/backend", "2023.05.1", "backend 2023.05.1");
    });
    after(async () => {
        await registry?.stop();
        removeTempProjects();
    });
    beforeEach(() => {
        project = tempProject({ "Pulumi.yaml": "name: pinstack\nruntime: nodejs\n", "Pulumi.staging.yaml": stagingYaml({ registry: host }), "Pulumi.production.yaml": productionYaml({ registry: host }) });
        pulumi = fakePulumi();
        pulumi.setHistory("staging", [deployedFile(project.file("Pulumi.staging.yaml"), { minutesAgo: 120, message: "deploy staging" })]);
    });
    afterEach(() => pulumi.remove());

    const run = (...args: string[]) => runPinstack(args, { cwd: project.dir, env: { ...pulumi.env, PINSTACK_ACTOR: "ci@example.org" } });
    const promote = () => run("promote", "staging", "production", "--service", "backend", "--reason", "Release 2023.06.2");
    /** 1-based line of the first line of `file` holding `text`. */
    const lineOf = (file: string, text: string) => project.read(file).split("\n").findIndex((l) => l.includes(text)) + 1;
    const registriesLine = () => `    registries: [ ${host}/example ] # production lists where its images come from\n`;

    const loosened: { what: string; edit: (text: string) => string; at: string; message: RegExp }[] = [
        {
            what: "pinstack:environment switched to playground (with a latest tag)",
            edit: (text) => text.replace("pinstack:environment: production", "pinstack:environment: playground").replace("tag: 2023.04.2", "tag: latest"),
            at: "pinstack:environment:",
            message: /pinstack:environment: the environment is below stack production's floor: the file sets playground, the floor is production/,
        },
        {
            what: "a rule's level lowered (provenance: advisory)",
            edit: (text) => text.replace(registriesLine(), `${registriesLine()}    levels:\n      provenance: advisory\n`),
            at: "provenance: advisory",
            message: /pinstack:preset\.levels\.provenance: rule provenance is below stack production's floor: the file sets advisory, the floor is mandatory/,
        },
        {
            what: "production's registries left empty (any registry)",
            edit: (text) => text.replace(registriesLine(), "    registries: []\n"),
            at: "registries: []",
            message: /pinstack:preset\.registries: registries is below stack production's floor: the file sets \[\], the floor is a non-empty list \(an empty list allows any registry/,
        },
        {
            what: "requireDigest switched off",
            edit: (text) => text.replace(registriesLine(), `${registriesLine()}    requireDigest: false\n`),
            at: "requireDigest: false",
            message: /pinstack:preset\.requireDigest: requireDigest is below stack production's floor: the file sets false, the floor is true/,
        },
    ];

    for (const { what, edit, at, message } of loosened) {
        describe(what, () => {
            beforeEach(() => project.write("Pulumi.production.yaml", edit(project.read("Pulumi.production.yaml"))));

            it("check --stack production refuses it (exit 1), naming file, line and key", () => {
                const before = snapshot(project.dir);
                const { code, stdout, stderr } = run("check", "--stack", "production");
                assert.equal(code, 1, stdout + stderr);
                const line = lineOf("Pulumi.production.yaml", at);
                assert.match(stderr, new RegExp(`^error: Pulumi\\.production\\.yaml:${line}:\\d+: ${message.source}`));
                assert.match(stderr, /why: a stack file may only tighten what its floor \(the stack's name\) sets/);
                assert.deepEqual(snapshot(project.dir), before);
            });

            it("promote staging production refuses it (exit 1) before asking Pulumi or the registry, writing nothing", () => {
                const before = snapshot(project.dir);
                const { code, stderr } = promote();
                assert.equal(code, 1, stderr);
                assert.match(stderr, message);
                assert.deepEqual(pulumi.calls(), []);
                assert.deepEqual(snapshot(project.dir), before);
            });
        });
    }

    it("lists every loosened key at once, each with its line", () => {
        project.write("Pulumi.production.yaml", project.read("Pulumi.production.yaml").replace(registriesLine(), "    requireDigest: false\n    allowPrereleases: true\n"));
        const { code, stderr } = run("check", "--stack", "production");
        assert.equal(code, 1);
        assert.match(stderr, /^error: Pulumi\.production\.yaml:\d+:\d+: pinstack:preset\.requireDigest: /);
        assert.match(stderr, new RegExp(`2 more:\n {4}- Pulumi\\.production\\.yaml:${lineOf("Pulumi.production.yaml", "allowPrereleases")}:5: pinstack:preset\\.allowPrereleases: allowPrereleases is below stack production's floor: the file sets true, the floor is false\n`));
        assert.match(stderr, /\n {4}- Pulumi\.production\.yaml:\d+:\d+: pinstack:preset\.registries: registries is below stack production's floor: the file sets \[\]/);
    });

    it("accepts a file that only tightens: narrower registries and schemes, an explicit mandatory level, its own soak time", () => {
        const tightened = project
            .read("Pulumi.production.yaml")
            .replace(registriesLine(), `    registries: [ ${host}/example/backend, ${host}/example/frontend ]\n    allowedSchemes: [ calver ]\n    soakMinutes: 0\n    levels:\n      provenance: mandatory\n      acceptance-checklist: disabled # a runbook gate this project does not have\n`);
        project.write("Pulumi.production.yaml", tightened);
        const check = run("check", "--stack", "production");
        assert.equal(check.code, 0, check.stdout + check.stderr);
        const { code, stderr } = promote();
        assert.equal(code, 0, stderr);
        assert.equal(run("check", "--stack", "production").code, 0, "the promoted file still keeps its floor");
    });

    it("a pack config sets the floor when the project has one: its registries, named in the refusal", () => {
        const packConfig = { "registry-allowed": { enforcementLevel: "mandatory", preset: "production", registries: [`${host}/example/backend`] }, hold: { enforcementLevel: "mandatory", preset: "production" } };
        project.write("policies/config.production.json", JSON.stringify(packConfig));
        const { code, stderr } = run("check", "--stack", "production");
        assert.equal(code, 1, stderr);
        assert.match(stderr, new RegExp(`pinstack:preset\\.registries: registries is below stack production's floor: the file sets \\[${host}/example\\], the floor is \\[${host}/example/backend\\] \\(${host}/example not within it\\)`));
        assert.match(stderr, /floor \(policies\/config\.production\.json\)/);
        assert.match(stderr, /fix: .*the floor itself is changed in policies\/config\.production\.json/);
    });

    it("a pack config maps a stack of another name to its environment; without one the strictest floor holds", () => {
        project.write("Pulumi.qa.yaml", stagingYaml({ registry: host }));
        const unmapped = run("check", "--stack", "qa");
        assert.equal(unmapped.code, 1);
        assert.match(unmapped.stderr, /Pulumi\.qa\.yaml:\d+:\d+: pinstack:environment: the environment is below stack qa's floor: the file sets staging, the floor is production/);
        assert.match(unmapped.stderr, /fix: add policies\/config\.qa\.json, the policy pack config for qa, with "preset"/);
        project.write("policies/config.qa.json", JSON.stringify({ hold: { enforcementLevel: "mandatory", preset: "staging", stack: "qa" } }));
        const mapped = run("check", "--stack", "qa");
        assert.equal(mapped.code, 0, mapped.stderr);
    });

    it("a pack config that names no single preset is bad input (exit 2), naming the file", () => {
        project.write("policies/config.production.json", JSON.stringify({ hold: { preset: "production" }, provenance: { preset: "playground" } }));
        const { code, stderr } = run("check", "--stack", "production");
        assert.equal(code, 2);
        assert.match(stderr, /policies\/config\.production\.json: the policy pack config must name one preset for stack production; it names "production", "playground"/);
    });

    it("rollback, diff, verify-image and ci's gates refuse a loosened file too", () => {
        project.write("Pulumi.production.yaml", project.read("Pulumi.production.yaml").replace(registriesLine(), `${registriesLine()}    levels:\n      hold: disabled\n`));
        const before = snapshot(project.dir);
        const message = /pinstack:preset\.levels\.hold: rule hold is below stack production's floor: the file sets disabled, the floor is mandatory/;
        for (const args of [
            ["rollback", "production", "--reason", "incident"],
            ["diff", "staging", "production"],
            ["verify-image", `${host}/example/backend:2023.05.1@sha256:${"a".repeat(64)}`, "--stack", "production"],
            ["ci", "hold-gate", "-s", "production"],
            ["ci", "load-test-gate", "-s", "production", "--mode", "warn", "--outcome", "passed"],
        ]) {
            const { code, stderr } = run(...args);
            assert.equal(code, 1, `${args.join(" ")}: ${stderr}`);
            assert.match(stderr, message, args.join(" "));
        }
        assert.deepEqual(pulumi.calls(), []);
        assert.deepEqual(snapshot(project.dir), before);
    });
});
