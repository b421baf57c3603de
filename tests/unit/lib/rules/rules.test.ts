import { strict as assert } from "assert";
import type { RuleId, Violation } from "../../../../lib/model";
import {
    checkRepository,
    effectivePreset,
    evaluateImage,
    evaluateStack,
    isMutableTag,
    isRefused,
    packagePinProblem,
    parseLoadTestLabel,
    registryAllowed,
    ruleIds,
    rules,
} from "../../../../lib/rules";
import { presets } from "../../../../stacks";
import { DIGEST, goodProduction, makeStack, OTHER_DIGEST, promotedPackage, promotedService } from "./fixtures";

const ids = (violations: readonly Violation[]) => violations.map((v) => v.rule);
const only = (violations: readonly Violation[], rule: RuleId) => violations.filter((v) => v.rule === rule);

function service(fields: Record<string, unknown>) {
    return { "pinstack:services": { backend: { image: "ghcr.io/example/backend", scheme: "calver", ...fields } } };
}

describe("lib/rules: the engine", () => {
    it("a production stack with promoted, digest-pinned, final pins passes every rule", () => {
        assert.deepEqual(evaluateStack(goodProduction()), []);
    });

    it("every RuleId has a rule module with a description", () => {
        for (const id of ruleIds) {
            assert.equal(rules[id].id, id);
            assert.ok(rules[id].description.length > 20, id);
        }
        assert.deepEqual([...ruleIds].sort(), Object.keys(presets.production.levels).sort());
    });

    it("effectivePreset merges pinstack:preset overrides rule by rule, and pinstack:cloud", () => {
        const config = makeStack("production", { "pinstack:cloud": false, "pinstack:preset": { registries: ["ghcr.io"], levels: { provenance: "advisory" } } });
        const preset = effectivePreset(config);
        assert.equal(preset.cloud, false);
        assert.deepEqual(preset.registries, ["ghcr.io"]);
        assert.equal(preset.levels.provenance, "advisory");
        assert.equal(preset.levels["digest-required"], "mandatory", "other levels stay");
        assert.equal(presets.production.levels.provenance, "mandatory", "the shared preset is not changed");
    });

    it("a disabled rule produces nothing; an advisory one does not refuse", () => {
        const typedIn = makeStack("production", service({ tag: "2023.05.1", digest: DIGEST }));
        assert.deepEqual(ids(only(evaluateStack(typedIn), "provenance")), ["provenance"]);
        const disabled = makeStack("production", { ...service({ tag: "2023.05.1", digest: DIGEST }), "pinstack:preset": { levels: { provenance: "disabled" } } });
        assert.deepEqual(only(evaluateStack(disabled), "provenance"), []);
        const advisory = makeStack("production", { ...service({ tag: "2023.05.1", digest: DIGEST }), "pinstack:preset": { levels: { provenance: "advisory" } } });
        const found = evaluateStack(advisory);
        assert.equal(found.length, 1);
        assert.equal(found[0].level, "advisory");
        assert.equal(isRefused(found), false);
        assert.equal(isRefused(evaluateStack(typedIn)), true);
    });

    it("violations carry stack, subject and the key's location", () => {
        const config = makeStack("staging", service({ tag: "latest" }));
        const [v] = evaluateStack(config);
        assert.deepEqual([v.rule, v.stack, v.subject, v.location?.key], ["no-mutable-tags", "staging", "backend", "pinstack:services.backend.tag"]);
    });
});

describe("rule no-mutable-tags", () => {
    for (const tag of ["latest", "Latest", "LATEST", "latest ", " latest", "main", "master", "develop", "dev", "staging", "production", "release", "HEAD", "stable", "edge", "nightly", "latest-alpine", "alpine-latest"]) {
        it(`refuses ${JSON.stringify(tag)} outside playground`, () => {
            assert.equal(isMutableTag(tag), true);
            const result = evaluateImage({ reference: `ghcr.io/example/backend:${tag.trim() === tag ? tag : "x"}`, stack: "staging", preset: presets.staging });
            if (tag.trim() === tag) assert.deepEqual(ids(result.violations), ["no-mutable-tags"]);
        });
    }
    for (const tag of ["2023.06.1", "1.4.2", "3f2a9c1", "main-3f2a9c1", "v1.0.0", "release-2023.06.1"]) {
        it(`accepts ${tag}`, () => assert.equal(isMutableTag(tag), false));
    }
    it("refuses latestish: not latest, but a word with no digit names no version or build", () => {
        assert.equal(isMutableTag("latestish"), true);
    });
    it("a missing tag is mutable unless a digest pins the image", () => {
        assert.equal(isMutableTag(undefined), true);
        assert.equal(isMutableTag(undefined, DIGEST), false);
        assert.deepEqual(ids(evaluateStack(makeStack("staging", service({}))).filter((v) => v.rule === "no-mutable-tags")), ["no-mutable-tags"]);
        assert.deepEqual(evaluateStack(makeStack("staging", service({ digest: DIGEST }))), []);
    });
    it("is advisory in playground and mandatory in staging and production", () => {
        const inPlayground = evaluateStack(makeStack("playground", service({ tag: "latest" })));
        assert.deepEqual(inPlayground.map((v) => [v.rule, v.level]), [["no-mutable-tags", "advisory"]]);
        assert.equal(only(evaluateStack(makeStack("staging", service({ tag: "latest" }))), "no-mutable-tags")[0].level, "mandatory");
    });
    it("checks init containers and sidecars too", () => {
        const config = makeStack("staging", service({ tag: "2023.05.1", sidecars: [{ name: "envoy", image: "envoyproxy/envoy", tag: "latest" }] }));
        const [v] = evaluateStack(config);
        assert.equal(v.rule, "no-mutable-tags");
        assert.match(v.message, /container envoy of service backend/);
    });
    it("says what to do instead", () => {
        const [v] = evaluateImage({ reference: "x:latest", stack: "staging", preset: presets.staging }).violations;
        assert.match(v.message, /pin a version tag/);
    });
});

describe("rule tag-scheme", () => {
    const cases: [string, string, boolean][] = [
        ["calver", "2023.06.1", true],
        ["calver", "2023.6.1", false],
        ["calver", "2023.13.1", false],
        ["semver", "1.4.2", true],
        ["semver", "1.2", false],
        ["semver", "01.2.3", false],
        ["semver", "v1.2.3", false],
        ["semver-v", "v1.2.3", true],
        ["commit", "3f2a9c1", true],
        ["commit", "3F2A9C1", false],
        ["pep440", "10.8.5", true],
    ];
    for (const [scheme, tag, ok] of cases) {
        it(`${ok ? "accepts" : "refuses"} ${tag} under ${scheme}`, () => {
            const found = only(evaluateStack(makeStack("staging", service({ scheme, tag }))), "tag-scheme");
            assert.equal(found.length, ok ? 0 : 1);
            if (!ok) assert.match(found[0].message, new RegExp(`tag '${tag.replace(/\./g, "\\.")}' does not follow`));
        });
    }
    it("leaves mutable tags to no-mutable-tags (one finding for 'latest', not two)", () => {
        assert.deepEqual(ids(evaluateImage({ reference: "x:Latest", stack: "staging", preset: presets.staging, scheme: "calver", service: "backend" }).violations), ["no-mutable-tags"]);
    });
    it("refuses a scheme the stack does not allow (any, outside playground)", () => {
        const found = only(evaluateStack(makeStack("production", service({ scheme: "any", tag: "build-42", digest: DIGEST }))), "tag-scheme");
        assert.equal(found.length, 1);
        assert.match(found[0].message, /declares scheme 'any', which production does not allow/);
        assert.deepEqual(only(evaluateStack(makeStack("playground", service({ scheme: "any", tag: "build-42" }))), "tag-scheme"), []);
    });
    it("verify-image checks the scheme only when the service is named", () => {
        assert.deepEqual(evaluateImage({ reference: "x:2023.6.1", stack: "staging", preset: presets.staging }).violations, []);
        assert.deepEqual(ids(evaluateImage({ reference: "x:2023.6.1", stack: "staging", preset: presets.staging, scheme: "calver", service: "backend" }).violations), ["tag-scheme"]);
    });
});

describe("rule no-prereleases", () => {
    it("allows release candidates in staging and refuses them in production", () => {
        const staging = makeStack("staging", { ...service({ scheme: "semver", tag: "1.4.2-rc.1" }), "pinstack:packages": { "ukrdc-services": "10.8.5rc1" } });
        assert.deepEqual(evaluateStack(staging), []);
        const production = goodProduction({
            "pinstack:services": { backend: promotedService("backend", { image: "ghcr.io/example/backend", tag: "1.4.2-rc.1", digest: DIGEST, scheme: "semver" }) },
            "pinstack:packages": { "ukrdc-services": promotedPackage("ukrdc-services", "10.8.5.RC1") },
        });
        const found = only(evaluateStack(production), "no-prereleases");
        assert.deepEqual(found.map((v) => v.subject), ["backend", "ukrdc-services"]);
        assert.match(found[1].message, /release it \(e\.g\. 10\.8\.5\) and pin that/);
    });
    for (const version of ["10.8.5rc1", "10.8.5.RC1", "10.8.5-rc.1", "10.8.5a1", "10.8.5.dev1"]) {
        it(`refuses the package version ${version} in production`, () => {
            const production = goodProduction({ "pinstack:packages": { "ukrdc-services": promotedPackage("ukrdc-services", version) } });
            assert.deepEqual(ids(evaluateStack(production)), ["no-prereleases"]);
        });
    }
    it("build metadata cannot reach an image: '+' is not allowed in a Docker tag", () => {
        assert.match(evaluateImage({ reference: `x:1.4.2+build.5@${DIGEST}`, stack: "production", preset: presets.production, scheme: "semver" }).error ?? "", /contains '\+'/);
    });
    it("names the final release to promote instead", () => {
        const [v] = evaluateImage({ reference: `x:1.4.2-rc.1@${DIGEST}`, stack: "production", preset: presets.production, scheme: "semver" }).violations;
        assert.match(v.message, /promote 1\.4\.2 once it is tagged/);
    });
    it("without a scheme, reads a prerelease under any scheme the stack allows", () => {
        assert.deepEqual(ids(evaluateImage({ reference: `x:1.4.2-rc.1@${DIGEST}`, stack: "production", preset: presets.production }).violations), ["no-prereleases"]);
        assert.deepEqual(evaluateImage({ reference: `x:1.4.2@${DIGEST}`, stack: "production", preset: presets.production }).violations, []);
    });
});

describe("rule digest-required", () => {
    it("refuses a production image without a digest and says how to pin one", () => {
        const [v] = evaluateImage({ reference: "ghcr.io/example/backend:2023.05.1", stack: "production", preset: presets.production }).violations;
        assert.equal(v.rule, "digest-required");
        assert.match(v.message, /pinstack promote/);
    });
    it("does not ask for digests in staging", () => {
        assert.deepEqual(evaluateImage({ reference: "ghcr.io/example/backend:2023.05.1", stack: "staging", preset: presets.staging }).violations, []);
    });
    it("applies to sidecars of production services", () => {
        const config = goodProduction({
            "pinstack:services": {
                backend: promotedService("backend", { image: "ghcr.io/example/backend", tag: "2023.05.1", digest: DIGEST, scheme: "calver", sidecars: [{ name: "envoy", image: "envoyproxy/envoy", tag: "1.28.0" }] }),
            },
        });
        assert.deepEqual(ids(evaluateStack(config)), ["digest-required"]);
    });
});

describe("rule registry-allowed", () => {
    it("allows any registry when the list is empty", () => {
        assert.equal(registryAllowed({ domain: "", path: "nginx", name: "nginx" }, []), true);
    });
    it("matches hosts, host/path prefixes, and docker.io for images without a registry", () => {
        const allowed = ["ghcr.io/example", "localhost:5000", "docker.io/library"];
        const check = (name: string, domain: string, path: string) => registryAllowed({ name, domain, path }, allowed);
        assert.equal(check("ghcr.io/example/backend", "ghcr.io", "example/backend"), true);
        assert.equal(check("ghcr.io/other/backend", "ghcr.io", "other/backend"), false);
        assert.equal(check("ghcr.io/examples/backend", "ghcr.io", "examples/backend"), false, "a prefix ends at a '/'");
        assert.equal(check("localhost:5000/app", "localhost:5000", "app"), true);
        assert.equal(check("nginx", "", "nginx"), true);
        assert.equal(check("bitnami/redis", "bitnami", "redis"), false);
    });
    it("refuses an image from another registry, naming the allowed ones", () => {
        const config = makeStack("staging", { ...service({ tag: "2023.05.1", image: "quay.io/example/backend" }), "pinstack:preset": { registries: ["ghcr.io"] } });
        const [v] = evaluateStack(config);
        assert.equal(v.rule, "registry-allowed");
        assert.match(v.message, /comes from quay\.io.*one of ghcr\.io/);
    });
});

describe("rule exact-package-pins", () => {
    for (const version of [">=10.8", "~=10.8.5", "^10.8.5", "*", "10.8.*", "10.8.x", "10.X", "!=10.8.4", "<11", ">=10,<11", "10.8 - 10.9", "==10.8.5", "banana"]) {
        it(`refuses ${JSON.stringify(version)} in staging`, () => {
            assert.ok(packagePinProblem(version), version);
            const found = evaluateStack(makeStack("staging", { "pinstack:packages": { lib: version } }));
            assert.deepEqual(ids(found), ["exact-package-pins"]);
            assert.match(found[0].message, /exact version/);
        });
    }
    for (const version of ["10.8.5", "10.8.5rc1", "10.8", "1"]) {
        it(`accepts ${version}`, () => assert.equal(packagePinProblem(version), undefined));
    }
    it("says to write ==10.8.5 bare", () => {
        assert.match(packagePinProblem("==10.8.5") ?? "", /write 10\.8\.5/);
    });
    it("is only advisory in playground", () => {
        assert.deepEqual(evaluateStack(makeStack("playground", { "pinstack:packages": { lib: ">=10.8" } })).map((v) => v.level), ["advisory"]);
    });
});

describe("rule provenance", () => {
    it("refuses a production pin that was typed in", () => {
        const config = makeStack("production", service({ tag: "2023.05.1", digest: DIGEST }));
        const [v] = evaluateStack(config);
        assert.equal(v.rule, "provenance");
        assert.match(v.message, /typed in.*pinstack promote staging production --service backend/);
    });
    it("refuses a provenance from the wrong stack", () => {
        const config = goodProduction({ "pinstack:services": { backend: promotedService("backend", { image: "ghcr.io/example/backend", tag: "2023.05.1", digest: DIGEST, scheme: "calver" }, "playground") } });
        assert.match(only(evaluateStack(config), "provenance")[0].message, /promoted from 'playground', not from 'staging'/);
    });
    it("refuses a provenance left on an edited tag or digest", () => {
        const promoted = promotedService("backend", { image: "ghcr.io/example/backend", tag: "2023.05.1", digest: DIGEST, scheme: "calver" });
        for (const edit of [{ tag: "2023.05.2" }, { digest: OTHER_DIGEST }]) {
            const config = goodProduction({ "pinstack:services": { backend: { ...promoted, ...edit } } });
            assert.match(only(evaluateStack(config), "provenance")[0]?.message ?? "", /seal does not match/, JSON.stringify(edit));
        }
    });
    it("refuses a provenance left on an edited, added or removed init container or sidecar", () => {
        const proxy = { name: "proxy", image: "ghcr.io/example/proxy", tag: "2.0.1", digest: OTHER_DIGEST };
        const migrate = { name: "migrate", image: "ghcr.io/example/backend", tag: "2023.05.1", digest: DIGEST };
        const promoted = promotedService("backend", { image: "ghcr.io/example/backend", tag: "2023.05.1", digest: DIGEST, scheme: "calver", initContainers: [migrate], sidecars: [proxy] });
        assert.deepEqual(only(evaluateStack(goodProduction({ "pinstack:services": { backend: promoted } })), "provenance"), [], "as promoted, it passes");
        const edits: Record<string, unknown>[] = [
            { sidecars: [{ ...proxy, tag: "2.0.2" }] },
            { sidecars: [{ ...proxy, image: "docker.io/evil/proxy" }] },
            { sidecars: [proxy, { name: "debug", image: "ghcr.io/example/debug", tag: "1.0.0", digest: DIGEST }] },
            { sidecars: [] },
            { initContainers: [{ ...migrate, digest: OTHER_DIGEST }] },
        ];
        for (const edit of edits) {
            const config = goodProduction({ "pinstack:services": { backend: { ...promoted, ...edit } } });
            assert.match(only(evaluateStack(config), "provenance")[0]?.message ?? "", /seal does not match this pin or its init containers and sidecars/, JSON.stringify(edit));
        }
    });
    it("says when a seal predates containers: it covers the service's image but not its sidecars", () => {
        const legacy = promotedService("backend", { image: "ghcr.io/example/backend", tag: "2023.05.1", digest: DIGEST, scheme: "calver" });
        const config = goodProduction({ "pinstack:services": { backend: { ...legacy, sidecars: [{ name: "proxy", image: "ghcr.io/example/proxy", tag: "2.0.1", digest: OTHER_DIGEST }] } } });
        const [v] = only(evaluateStack(config), "provenance");
        assert.match(v.message, /sealed before seals covered init containers and sidecars.*pinstack promote staging production --service backend/);
        assert.equal(v.level, "mandatory");
    });
    it("refuses a provenance copied to another service", () => {
        const promoted = promotedService("backend", { image: "ghcr.io/example/backend", tag: "2023.05.1", digest: DIGEST, scheme: "calver" });
        const config = goodProduction({ "pinstack:services": { backend: promoted, worker: { ...promoted } } });
        assert.deepEqual(only(evaluateStack(config), "provenance").map((v) => v.subject), ["worker"]);
    });
    it("refuses an edited package version", () => {
        const config = goodProduction({ "pinstack:packages": { "ukrdc-services": { ...promotedPackage("ukrdc-services", "10.8.5"), version: "10.8.6" } } });
        assert.deepEqual(only(evaluateStack(config), "provenance").map((v) => v.subject), ["ukrdc-services"]);
    });
    it("is disabled in staging and playground", () => {
        assert.deepEqual(evaluateStack(makeStack("staging", service({ tag: "2023.05.1" }))), []);
    });
});

describe("gate rules", () => {
    // Gates guard the step into production; they are disabled in staging (see stacks/staging.ts).
    const staging = goodProduction();
    it("parses Merino's load-test label from a commit message", () => {
        assert.deepEqual(parseLoadTestLabel("Merge #12 [load test: abort]"), { kind: "label", mode: "abort", label: "[load test: abort]" });
        assert.deepEqual(parseLoadTestLabel("[Load Test: SKIP] docs"), { kind: "label", mode: "skip", label: "[Load Test: SKIP]" });
        assert.deepEqual(parseLoadTestLabel("fix: typo"), { kind: "default", mode: "warn" });
        assert.equal(parseLoadTestLabel("Merge #12 [load test: abrot]").kind, "malformed", "a typo is not 'no label'");
    });
    it("load-test-gate: abort + failed refuses, warn + failed warns, skip passes", () => {
        assert.deepEqual(evaluateStack(staging, undefined, { gates: { loadTest: "abort", loadTestPassed: false } }).map((v) => [v.rule, v.level]), [["load-test-gate", "mandatory"]]);
        assert.deepEqual(evaluateStack(staging, undefined, { gates: { loadTest: "warn", loadTestPassed: false } }).map((v) => [v.rule, v.level]), [["load-test-gate", "advisory"]]);
        assert.deepEqual(evaluateStack(staging, undefined, { gates: { loadTestPassed: false } }).map((v) => v.level), ["advisory"], "no label: run and warn");
        assert.deepEqual(evaluateStack(staging, undefined, { gates: { loadTest: "skip", loadTestPassed: false } }), []);
        assert.deepEqual(evaluateStack(staging, undefined, { gates: { loadTest: "abort", loadTestPassed: true } }), []);
    });
    it("load-test-gate: abort without a result refuses only with strictGates", () => {
        assert.deepEqual(evaluateStack(staging, undefined, { gates: { loadTest: "abort" } }), []);
        assert.deepEqual(ids(evaluateStack(staging, undefined, { gates: { loadTest: "abort", acceptanceComplete: true, productionBranchTags: { "ghcr.io/example/backend": ["2023.05.1"] } }, strictGates: true })), ["load-test-gate"]);
    });
    it("load-test-gate reads gates from the stack's pinstack:gates too", () => {
        const gated = goodProduction({ "pinstack:gates": { loadTest: "abort", loadTestPassed: false } });
        assert.deepEqual(ids(evaluateStack(gated)), ["load-test-gate"]);
        assert.deepEqual(evaluateStack(gated, undefined, { gates: { loadTestPassed: true } }), [], "CI's result wins over the file");
    });
    it("acceptance-checklist: an incomplete checklist refuses production; a missing one only with strictGates", () => {
        const production = goodProduction();
        assert.deepEqual(ids(evaluateStack(production, undefined, { gates: { acceptanceComplete: false } })), ["acceptance-checklist"]);
        const branchTags = { "ghcr.io/example/backend": ["2023.05.1"] };
        assert.deepEqual(evaluateStack(production, undefined, { gates: { acceptanceComplete: true, productionBranchTags: branchTags }, strictGates: true }), []);
        assert.deepEqual(ids(evaluateStack(production, undefined, { gates: { productionBranchTags: branchTags }, strictGates: true })), ["acceptance-checklist"]);
        const inStaging = makeStack("staging", service({ tag: "2023.05.1" }));
        assert.deepEqual(evaluateStack(inStaging, undefined, { gates: { acceptanceComplete: false, loadTest: "abort", loadTestPassed: false }, strictGates: true }), [], "gates are disabled in staging");
    });
    it("production-branch-tag: a tag not on the production branch refuses", () => {
        const production = goodProduction();
        const gates = { productionBranchTags: { "ghcr.io/example/backend": ["2023.04.2", "2023.05.1"] } };
        assert.deepEqual(evaluateStack(production, undefined, { gates }), []);
        const notOnBranch = { productionBranchTags: { "ghcr.io/example/backend": ["2023.04.2"] } };
        const [v] = evaluateStack(production, undefined, { gates: notOnBranch });
        assert.equal(v.rule, "production-branch-tag");
        assert.match(v.message, /'2023\.05\.1' is not on the production branch/);
        assert.deepEqual(evaluateStack(production, undefined, { gates: { productionBranchTags: {} } }), [], "unknown repositories are not checked");
        assert.deepEqual(ids(evaluateStack(production, undefined, { gates: { productionBranchTags: {}, acceptanceComplete: true }, strictGates: true })), ["production-branch-tag"]);
    });
});

describe("rule immutable-repositories", () => {
    it("refuses mutable or unscanned repositories where the preset wants immutable ones", () => {
        const context = { preset: presets.production, stack: "production" };
        assert.deepEqual(checkRepository({ name: "backend", imageTagMutability: "IMMUTABLE", scanOnPush: true }, context), []);
        assert.equal(checkRepository({ name: "backend", imageTagMutability: "MUTABLE", scanOnPush: true }, context).length, 1);
        assert.equal(checkRepository({ name: "backend", imageTagMutability: "IMMUTABLE" }, context).length, 1);
        assert.deepEqual(checkRepository({ name: "backend", imageTagMutability: "MUTABLE" }, { preset: presets.playground, stack: "playground" }), []);
    });
});

describe("evaluateImage", () => {
    it("reports an invalid reference as an error, with no rules run", () => {
        for (const reference of ["ghcr.io/example/backend:latest ", "ghcr.io/Example/backend:1.0.0", "x@sha256:123", "a b"]) {
            const result = evaluateImage({ reference, stack: "staging", preset: presets.staging });
            assert.ok(result.error, reference);
            assert.equal(result.ref, undefined);
            assert.deepEqual(result.violations, []);
        }
    });
    it("returns the parsed reference", () => {
        const result = evaluateImage({ reference: "ghcr.io/example/backend:2023.05.1", stack: "staging", preset: presets.staging });
        assert.equal(result.ref?.domain, "ghcr.io");
        assert.equal(result.ref?.tag, "2023.05.1");
    });
});
