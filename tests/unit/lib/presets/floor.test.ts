import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readFloor } from "../../../../lib/config";
import { PinstackError } from "../../../../lib/errors";
import { effectivePreset, floorProblems, OPTIONAL_GATES, registryWithin, StackFloor, StackPreset } from "../../../../lib/presets";
import { presets } from "../../../../stacks";

const repoRoot = path.resolve(__dirname, "../../../..");

/** The floor a stack named after `environment` has: its preset, unchanged. */
function floorOf(environment: keyof typeof presets, registries?: string[]): StackFloor {
    const preset = presets[environment];
    return { stack: environment, source: "the stack's name", environment, preset: registries ? { ...preset, registries } : preset };
}

/** The problems of a stack at `environment` whose `pinstack:preset` is `overrides`. */
function problems(floor: StackFloor, overrides: Record<string, unknown>, environment = floor.environment) {
    const effective: StackPreset = effectivePreset({ stack: floor.stack, environment, presetOverrides: overrides });
    return floorProblems(floor, environment, effective).map((p) => [p.key, p.value, p.floor]);
}

describe("lib/presets floorProblems: a stack file may only tighten its floor", () => {
    const production = floorOf("production", ["ghcr.io/example"]);
    const listed = { registries: ["ghcr.io/example"] };

    it("production as its preset and its registries: no problem", () => {
        assert.deepEqual(problems(production, listed), []);
    });

    it("an environment below the floor is the one problem reported (the rest follows from it)", () => {
        assert.deepEqual(problems(production, {}, "playground"), [["pinstack:environment", "playground", "production"]]);
        assert.deepEqual(problems(floorOf("staging"), {}, "playground"), [["pinstack:environment", "playground", "staging"]]);
    });

    it("a stricter environment is a tightening", () => {
        assert.deepEqual(problems(floorOf("playground"), listed, "production"), []);
        assert.deepEqual(problems(floorOf("staging"), {}, "production"), [["pinstack:preset.registries", "[]", "a non-empty list"]], "but production's own demand holds");
    });

    it("each rule below its floor level, advisory or disabled", () => {
        assert.deepEqual(problems(production, { ...listed, levels: { provenance: "advisory", hold: "disabled" } }), [
            ["pinstack:preset.levels.provenance", "advisory", "mandatory"],
            ["pinstack:preset.levels.hold", "disabled", "mandatory"],
        ]);
        assert.deepEqual(problems(floorOf("playground"), { levels: { "no-mutable-tags": "disabled" } }), [["pinstack:preset.levels.no-mutable-tags", "disabled", "advisory"]]);
        assert.deepEqual(problems(floorOf("playground"), { levels: { "no-mutable-tags": "mandatory", provenance: "advisory" } }), [], "raising a level is a tightening");
    });

    it("the runbook gates are a project's own: switching one off is no problem", () => {
        assert.deepEqual([...OPTIONAL_GATES].sort(), ["acceptance-checklist", "load-test-gate", "production-branch-tag"]);
        assert.deepEqual(problems(production, { ...listed, levels: Object.fromEntries(OPTIONAL_GATES.map((rule) => [rule, "disabled"])) }), []);
    });

    it("requireDigest, allowMutableTags, allowPrereleases, immutableRepositories and allowedSchemes loosened", () => {
        assert.deepEqual(problems(production, { ...listed, requireDigest: false, allowMutableTags: true, allowPrereleases: true, immutableRepositories: false, allowedSchemes: ["calver", "any"] }), [
            ["pinstack:preset.requireDigest", "false", "true"],
            ["pinstack:preset.allowMutableTags", "true", "false"],
            ["pinstack:preset.allowPrereleases", "true", "false"],
            ["pinstack:preset.immutableRepositories", "false", "true"],
            ["pinstack:preset.allowedSchemes", "[calver, any]", "[semver, semver-v, calver, commit, pep440]"],
        ]);
        assert.deepEqual(problems(floorOf("staging"), { requireDigest: true, allowPrereleases: false, allowedSchemes: ["semver"] }), [], "tightened");
    });

    it("soak time, promoteFrom, replicas, cloud and retention are the stack's own", () => {
        assert.deepEqual(problems(production, { ...listed, soakMinutes: 0, promoteFrom: "stage", replicas: 1, cloud: false, resolveDigests: false, imageRetention: { keepTagged: 1, expireUntaggedDays: 1 } }), []);
    });

    it("registries: within the floor's (same entry or under it); empty is any, below a listed floor and never enough for production", () => {
        assert.deepEqual(problems(production, { registries: ["ghcr.io/example/backend", "GHCR.io/example/"] }), []);
        assert.deepEqual(problems(production, { registries: ["ghcr.io"] }), [["pinstack:preset.registries", "[ghcr.io]", "[ghcr.io/example]"]]);
        assert.deepEqual(problems(production, { registries: ["ghcr.io/example-evil"] }), [["pinstack:preset.registries", "[ghcr.io/example-evil]", "[ghcr.io/example]"]], "a prefix of the name is not a path under it");
        assert.deepEqual(problems(production, {}), [["pinstack:preset.registries", "[]", "[ghcr.io/example]"]]);
        assert.deepEqual(problems(floorOf("production"), {}), [["pinstack:preset.registries", "[]", "a non-empty list"]]);
        assert.deepEqual(problems(floorOf("production"), { registries: ["registry.example.com:5000"] }), []);
        assert.deepEqual(problems(floorOf("staging"), {}), [], "staging with no list anywhere may take any");
    });

    it("registryWithin matches as registry-allowed does: a port is part of the registry", () => {
        assert.equal(registryWithin("registry.example.com:5000/app", "registry.example.com:5000"), true);
        assert.equal(registryWithin("registry.example.com:5000", "registry.example.com"), false);
    });
});

describe("lib/config readFloor: the floor comes from the pack config or the stack's name, never the stack file", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinstack-floor-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
    const writePack = (stack: string, config: unknown) => {
        fs.mkdirSync(path.join(dir, "policies"), { recursive: true });
        fs.writeFileSync(path.join(dir, "policies", `config.${stack}.json`), typeof config === "string" ? config : JSON.stringify(config));
    };

    it("a stack named for a preset has that preset as its floor", () => {
        const floor = readFloor(dir, "staging");
        assert.deepEqual([floor.environment, floor.source, floor.preset], ["staging", "the stack's name", presets.staging]);
    });

    it("a stack of another name, with no pack config, is held to production's (fail closed)", () => {
        const floor = readFloor(dir, "qa");
        assert.equal(floor.environment, "production");
        assert.match(floor.unmapped ?? "", /policies[/\\]config\.qa\.json$/);
    });

    it("the pack config's preset, enforcement levels and registries", () => {
        writePack("prod", {
            provenance: { enforcementLevel: "advisory", preset: "production", stack: "prod" },
            "acceptance-checklist": { enforcementLevel: "disabled", preset: "production" },
            hold: { enforcementLevel: "remediate", preset: "production" },
            "registry-allowed": { enforcementLevel: "mandatory", preset: "production", registries: ["docker.io/mozilla"] },
            "readable-kinds": { preset: "production", allowedKinds: [] },
        });
        const floor = readFloor(dir, "prod");
        assert.equal(floor.environment, "production");
        assert.match(floor.source, /policies[/\\]config\.prod\.json$/);
        assert.deepEqual([floor.preset.levels.provenance, floor.preset.levels["acceptance-checklist"], floor.preset.levels.hold, floor.preset.levels["tag-scheme"]], ["advisory", "disabled", "mandatory", "mandatory"]);
        assert.deepEqual(floor.preset.registries, ["docker.io/mozilla"]);
    });

    it("the repository's own pack configs: production's and staging's registries", () => {
        assert.deepEqual(readFloor(repoRoot, "production").preset.registries, ["ghcr.io/pinstack-example"]);
        assert.deepEqual(readFloor(repoRoot, "staging").preset.registries, ["ghcr.io/pinstack-example"]);
        assert.equal(readFloor(repoRoot, "playground").preset.levels.provenance, "disabled");
    });

    const bad: [string, unknown, RegExp][] = [
        ["malformed JSON", "{", /config\.production\.json: malformed JSON/],
        ["no preset", { hold: { enforcementLevel: "mandatory" } }, /must name one preset for stack production; it names none/],
        ["two presets", { hold: { preset: "production" }, provenance: { preset: "staging" } }, /it names "production", "staging"/],
        ["an unknown preset", { hold: { preset: "prod" } }, /it names "prod"/],
        ["an unknown level", { hold: { preset: "production", enforcementLevel: "strict" } }, /hold\.enforcementLevel: unknown level "strict"/],
        ["registries not a list", { "registry-allowed": { preset: "production", registries: "ghcr.io" } }, /registry-allowed\.registries must be a list of registries/],
    ];
    for (const [what, config, message] of bad) {
        it(`a pack config with ${what} is bad input (exit 2)`, () => {
            writePack("production", config);
            assert.throws(() => readFloor(dir, "production"), (err: unknown) => err instanceof PinstackError && err.exitCode === 2 && message.test(err.message));
        });
    }
});
