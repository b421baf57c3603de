/**
 * The pack as a whole: one policy per lib rule under the rule's id, each with a description,
 * a configSchema and a default level; per-stack config files that follow the presets and
 * validate against the schemas the way the Pulumi CLI validates them.
 */
import * as assert from "assert";
import Ajv from "ajv";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import type { Level } from "../../../lib/model";
import { ruleIds } from "../../../lib/rules";
import { policies } from "../../../policies/all";
import { presets } from "../../../stacks";

const packDir = path.resolve(__dirname, "../../../policies");
const stacks = ["playground", "staging", "production"] as const;
const readConfig = (stack: string): Record<string, Record<string, unknown>> => JSON.parse(fs.readFileSync(path.join(packDir, `config.${stack}.json`), "utf8"));
const packOnly = ["load-test-warning", "stack-environment", "readable-kinds"];

describe("policies: the pack", () => {
    it("has one policy per lib rule, named by its RuleId, plus the pack's own", () => {
        const names = policies.map((p) => p.name);
        assert.deepStrictEqual(new Set(names).size, names.length, "names are unique");
        assert.deepStrictEqual([...names].sort(), [...ruleIds, ...packOnly].sort());
        for (const name of names) assert.match(name, /^[a-z]+(-[a-z]+)*$/, `${name} is kebab-case`);
    });

    for (const policy of policies) {
        it(`${policy.name}: says what to do instead, has a configSchema requiring the preset and a default level`, () => {
            assert.ok(policy.description.length > 60, "a description");
            assert.match(policy.description, /\.\s+[A-Z][^.]*(`|\.|\))/, "a second sentence: what to do instead");
            assert.ok(policy.configSchema, "configSchema");
            assert.deepStrictEqual(policy.configSchema!.required?.[0], "preset");
            assert.deepStrictEqual(policy.configSchema!.properties.preset.enum, Object.keys(presets));
            assert.ok(policy.enforcementLevel === (policy.name === "load-test-warning" ? "advisory" : "mandatory"), `${policy.name} defaults to ${policy.enforcementLevel}`);
        });
    }

    for (const stack of stacks) {
        describe(`config.${stack}.json`, () => {
            const config = readConfig(stack);
            const preset = presets[stack];

            it("configures exactly the pack's policies (a misspelt name would be ignored by the CLI)", () => {
                assert.deepStrictEqual(Object.keys(config).sort(), policies.map((p) => p.name).sort());
            });

            it(`names the ${stack} preset in every policy`, () => {
                for (const [name, entry] of Object.entries(config)) assert.strictEqual(entry.preset, stack, name);
            });

            it("validates against each policy's configSchema as the CLI does", () => {
                const ajv = new Ajv({ allErrors: true, strict: false });
                for (const policy of policies) {
                    const { enforcementLevel: _l, ...properties } = config[policy.name];
                    // pkg/resource/analyzer/config.go convertSchema: type object, properties, required.
                    const validate = ajv.compile({ type: "object", properties: policy.configSchema!.properties, required: policy.configSchema!.required });
                    assert.ok(validate(properties), `${policy.name}: ${ajv.errorsText(validate.errors)}`);
                }
            });

            it("sets each rule's level to the preset's (one source of truth with `pinstack check`)", () => {
                for (const id of ruleIds) assert.strictEqual(config[id].enforcementLevel, preset.levels[id], id);
                const loadTest = preset.levels["load-test-gate"];
                assert.strictEqual(config["load-test-warning"].enforcementLevel, loadTest === "disabled" ? "disabled" : "advisory");
                assert.strictEqual(config["stack-environment"].enforcementLevel, stack === "playground" ? "advisory" : "mandatory");
                assert.strictEqual(config["readable-kinds"].enforcementLevel, stack === "playground" ? "advisory" : "mandatory");
            });

            const expected: Record<string, readonly Level[]> = { playground: ["advisory", "disabled"], staging: ["mandatory", "disabled"], production: ["mandatory"] };
            it(`levels are ${expected[stack].join(" or ")}${stack === "playground" ? " (hold excepted: the preset keeps it mandatory)" : ""}${stack === "staging" ? " (signed-images excepted: staging reports unsigned images, production refuses them)" : ""}`, () => {
                for (const [name, entry] of Object.entries(config)) {
                    if (stack === "playground" && name === "hold") continue;
                    if (stack === "staging" && name === "signed-images") {
                        assert.strictEqual(entry.enforcementLevel, "advisory");
                        continue;
                    }
                    if (name === "load-test-warning") continue;
                    assert.ok(expected[stack].includes(entry.enforcementLevel as Level), `${name}: ${entry.enforcementLevel}`);
                }
            });

            it("keeps mutable tags advisory wherever the preset allows them", () => {
                if (preset.allowMutableTags) assert.strictEqual(config["no-mutable-tags"].enforcementLevel, "advisory");
            });
        });
    }

    it("policies that look at one resource type only are tagged with it, so the SDK skips the rest unread", () => {
        const tagged = Object.fromEntries(policies.map((p) => [p.name, (("validateResource" in p ? p.validateResource : undefined) as { __pulumiType?: string } | undefined)?.__pulumiType]));
        assert.deepStrictEqual(
            { ecr: tagged["immutable-repositories"], pins: tagged["exact-package-pins"], load: tagged["load-test-gate"], env: tagged["stack-environment"], warn: tagged["load-test-warning"], checklist: tagged["acceptance-checklist"] },
            { ecr: "aws:ecr/repository:Repository", pins: "kubernetes:core/v1:ConfigMap", load: "pulumi:pulumi:Stack", env: "kubernetes:apps/v1:Deployment", warn: "pulumi:pulumi:Stack", checklist: "pulumi:pulumi:Stack" },
        );
    });

    it("production allows images only from the project's registry path", () => {
        assert.deepStrictEqual(readConfig("production")["registry-allowed"].registries, ["ghcr.io/pinstack-example"]);
        assert.deepStrictEqual(readConfig("staging")["registry-allowed"].registries, ["ghcr.io/pinstack-example"]);
    });

    it("constructs the PolicyPack in index.ts only (construction starts serving)", () => {
        const files = fs.readdirSync(packDir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
        const constructing = files.filter((f) => /new PolicyPack\(/.test(fs.readFileSync(path.join(packDir, f), "utf8")));
        assert.deepStrictEqual(constructing, ["index.ts"]);
    });

    it("runs on the nodejs runtime with the repository's node_modules (no dependencies of its own)", () => {
        const project = YAML.parse(fs.readFileSync(path.join(packDir, "PulumiPolicy.yaml"), "utf8"));
        assert.strictEqual(project.runtime.name, "nodejs");
        const pkg = JSON.parse(fs.readFileSync(path.join(packDir, "package.json"), "utf8"));
        assert.strictEqual(pkg.dependencies, undefined);
        assert.ok(fs.existsSync(path.join(packDir, pkg.main)), `main ${pkg.main} exists`);
    });
});
