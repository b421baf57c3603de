import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PinstackError } from "../../../../lib/errors";
import { listStacks, loadAllStacks, loadStack, parseStackConfig, parseStackFileText, readStackFile } from "../../../../lib/config";

const repoRoot = path.resolve(__dirname, "../../../..");

/** Parses stack file text and returns the StackConfig, or the PinstackError it throws. */
function parse(text: string, stack = "staging") {
    const file = parseStackFileText(`Pulumi.${stack}.yaml`, text, { project: "pinstack" });
    return parseStackConfig(stack, file.file, file.raw, file.locate, { secretKeys: file.secretKeys });
}

function parseError(text: string, stack = "staging"): PinstackError {
    try {
        parse(text, stack);
    } catch (err) {
        assert.ok(err instanceof PinstackError, String(err));
        return err;
    }
    assert.fail("expected a PinstackError");
}

const base = `config:
  pinstack:environment: staging
  pinstack:services:
    backend:
      image: ghcr.io/example/backend
      tag: 2023.05.1
      scheme: calver
      port: 8000
`;

describe("lib/config: the repository's own stack files", () => {
    it("lists the three stacks", () => {
        assert.deepEqual(listStacks(repoRoot).filter((s) => ["playground", "staging", "production"].includes(s)).sort(), ["playground", "production", "staging"]);
    });

    it("loads every stack in promotion order with services, packages and locations", () => {
        const stacks = loadAllStacks(repoRoot).filter((s) => ["playground", "staging", "production"].includes(s.stack));
        assert.deepEqual(stacks.map((s) => s.stack), ["playground", "staging", "production"]);
        const production = stacks[2];
        assert.equal(production.environment, "production");
        assert.equal(production.namespace, "production-stack");
        assert.equal(production.cloud, false);
        const backend = production.services.find((s) => s.name === "backend");
        assert.ok(backend);
        assert.equal(backend.tag, "2023.04.2");
        assert.equal(backend.scheme, "calver");
        assert.match(backend.digest ?? "", /^sha256:[0-9a-f]{64}$/);
        assert.equal(backend.readiness?.path, "/api/health");
        assert.ok(backend.location.line > 0);
        assert.equal(backend.fieldLocations?.tag.key, "pinstack:services.backend.tag");
        assert.equal(backend.fieldLocations?.tag.line, backend.location.line + 2);
        assert.deepEqual(production.packages.map((p) => [p.name, p.version, p.channel]), [["ukrdc-services", "10.8.4", "release"]]);
    });
});

describe("lib/config: parseStackConfig", () => {
    it("fills defaults: scheme any, port 8080, strategy in-place, channel release, namespace = stack", () => {
        const config = parse(`config:\n  pinstack:environment: staging\n  pinstack:services:\n    api:\n      image: ghcr.io/x/api\n      tag: 1.2.3\n  pinstack:packages:\n    lib: 1.0.0\n`);
        const api = config.services[0];
        assert.deepEqual([api.scheme, api.port, api.strategy], ["any", 8080, "in-place"]);
        assert.deepEqual([config.packages[0].version, config.packages[0].channel], ["1.0.0", "release"]);
        assert.equal(config.namespace, "staging");
        assert.equal(config.hold, false);
    });

    it("refuses an unquoted number where a string is wanted, as Pulumi reads it (tag: 1.20 is 1.2), each with its quoted form", () => {
        const err = parseError(`config:\n  pinstack:environment: staging\n  pinstack:services:\n    api:\n      image: x/api\n      tag: 1.20\n  pinstack:packages:\n    lib: 10.10\n    other:\n      version: 3.0\n`);
        assert.match(err.message, /:6:7: pinstack:services\.api\.tag: unquoted 1\.20 is not the text "1\.20" to Pulumi: YAML makes it the number 1\.2, not text; write it quoted: tag: "1\.20"/);
        assert.match(err.why ?? "", /pinstack:packages\.lib\.version: unquoted 10\.10 .*the number 10\.1/);
        assert.match(err.why ?? "", /:10:7: pinstack:packages\.other\.version: unquoted 3\.0 .*the number 3, not text; write it quoted: version: "3\.0"/);
        const quoted = parse(`config:\n  pinstack:environment: staging\n  pinstack:services:\n    api:\n      image: x/api\n      tag: "1.20"\n  pinstack:packages:\n    lib: "10.10"\n`);
        assert.equal(quoted.services[0].tag, "1.20");
        assert.deepEqual(quoted.packages.map((p) => p.version), ["10.10"]);
    });

    it("qualifies bare keys with the project name (services == pinstack:services)", () => {
        const config = parse(`config:\n  environment: staging\n  services:\n    api:\n      image: x/api\n      tag: 1.2.3\n`);
        assert.equal(config.services[0].name, "api");
    });

    it("ignores other namespaces' keys (aws:region)", () => {
        const config = parse(`config:\n  aws:region: eu-west-2\n  pinstack:environment: staging\n`);
        assert.equal(config.environment, "staging");
    });

    it("records secure: values by key and returns none of them", () => {
        const text = `config:\n  pinstack:environment: staging\n  app:dbPassword:\n    secure: v1:AAAAsecretcipher\n  pinstack:services:\n    api:\n      image: x/api\n      tag: 1.2.3\n      env:\n        PLAIN: one\n        TOKEN:\n          secure: v1:BBBBothercipher\n`;
        const file = parseStackFileText("Pulumi.staging.yaml", text, { project: "pinstack" });
        const config = parseStackConfig("staging", file.file, file.raw, file.locate, { secretKeys: file.secretKeys });
        assert.deepEqual([...config.secretKeys].sort(), ["app:dbPassword", "pinstack:services.api.env.TOKEN"]);
        assert.deepEqual(config.services[0].env, { PLAIN: "one" });
        assert.ok(!JSON.stringify(config).includes("cipher"), "no secret value anywhere in the config");
        assert.ok(!JSON.stringify(file.raw).includes("cipher"));
    });

    it("accepts plain objects as Pulumi hands them over, with coercion of text values", () => {
        const config = parseStackConfig(
            "staging",
            "Pulumi.staging.yaml",
            {
                "pinstack:environment": "staging",
                "pinstack:hold": "true",
                "pinstack:services": JSON.stringify({ api: { image: "x/api", tag: "1.2.3", port: 9000 } }),
            },
            undefined,
            { coerceScalars: true },
        );
        assert.equal(config.hold, true);
        assert.equal(config.services[0].port, 9000);
        const objects = parseStackConfig("staging", "Pulumi.staging.yaml", { "pinstack:environment": "staging", "pinstack:services": { api: { image: "x/api", tag: "1.2.3" } } });
        assert.equal(objects.services[0].image, "x/api");
    });

    it("reads top-level scalars as Pulumi writes them (hold: \"true\"), but not nested values", () => {
        assert.equal(parse(`config:\n  pinstack:environment: staging\n  pinstack:hold: "true"\n  pinstack:cloud: "false"\n`).hold, true);
        const err = parseError(`config:\n  pinstack:environment: staging\n  pinstack:hold: "yes"\n`);
        assert.match(err.message, /pinstack:hold: must be true or false, not the string 'yes'/);
        const nested = parseError(base.replace("port: 8000", 'port: "8000"'));
        assert.match(nested.message, /pinstack:services.backend.port: must be a whole number, not the string '8000'/);
    });

    it("applies pinstack:preset overrides and gates", () => {
        const config = parse(`${base}  pinstack:preset:\n    registries: [ghcr.io]\n    levels:\n      provenance: advisory\n  pinstack:gates:\n    loadTest: abort\n    loadTestPassed: false\n`);
        assert.deepEqual(config.presetOverrides, { registries: ["ghcr.io"], levels: { provenance: "advisory" } });
        assert.deepEqual(config.gates, { loadTest: "abort", loadTestPassed: false });
    });
});

describe("lib/config: bad input names file, line and key (exit 2)", () => {
    const cases: { name: string; text: string; message: RegExp; line: number; key: string }[] = [
        { name: "a port of the wrong type", text: base.replace("port: 8000", "port: eighty"), message: /must be a whole number, not the string 'eighty'/, line: 8, key: "pinstack:services.backend.port" },
        { name: "hold that is not a boolean", text: `${base}  pinstack:hold: maybe\n`, message: /must be true or false/, line: 9, key: "pinstack:hold" },
        { name: "services as a list", text: `config:\n  pinstack:environment: staging\n  pinstack:services:\n    - backend\n`, message: /must be a mapping/, line: 3, key: "pinstack:services" },
        { name: "an unknown service key, with a suggestion", text: base.replace("scheme: calver", "schema: calver"), message: /unknown key 'schema'; did you mean 'scheme'\?/, line: 7, key: "pinstack:services.backend.schema" },
        { name: "an unknown top-level key", text: `${base}  pinstack:servces: {}\n`, message: /unknown key 'pinstack:servces'; did you mean 'pinstack:services'\?/, line: 9, key: "pinstack:servces" },
        { name: "an unknown scheme", text: base.replace("scheme: calver", "scheme: lexical"), message: /must be one of semver, semver-v, calver, commit, pep440, any, not the string 'lexical'/, line: 7, key: "pinstack:services.backend.scheme" },
        { name: "an unknown environment", text: base.replace("environment: staging", "environment: stagin"), message: /unknown environment 'stagin'/, line: 2, key: "pinstack:environment" },
        { name: "a missing image", text: `config:\n  pinstack:environment: staging\n  pinstack:services:\n    backend:\n      tag: 1.2.3\n`, message: /'image' is missing/, line: 4, key: "pinstack:services.backend.image" },
        { name: "an uppercase repository", text: base.replace("ghcr.io/example/backend", "ghcr.io/Example/backend"), message: /invalid image: the repository name must be lowercase: 'Example'/, line: 5, key: "pinstack:services.backend.image" },
        { name: "a tag inside image:", text: base.replace("ghcr.io/example/backend", "ghcr.io/example/backend:1.0.0"), message: /includes the tag '1.0.0'/, line: 5, key: "pinstack:services.backend.image" },
        { name: "a tag with a trailing space", text: base.replace("tag: 2023.05.1", 'tag: "latest "'), message: /invalid tag: .*space at the end/, line: 6, key: "pinstack:services.backend.tag" },
        { name: "an invalid digest", text: base.replace("tag: 2023.05.1", "tag: 2023.05.1\n      digest: sha256:1234"), message: /invalid digest: .*too short/, line: 7, key: "pinstack:services.backend.digest" },
        { name: "an uppercase service name", text: base.replace("    backend:", "    Backend:"), message: /'Backend' is not a valid name/, line: 4, key: "pinstack:services.Backend" },
        { name: "an unknown preset level", text: `${base}  pinstack:preset:\n    levels:\n      provenance: strict\n`, message: /must be one of advisory, mandatory, disabled/, line: 11, key: "pinstack:preset.levels.provenance" },
        { name: "an unknown gate value", text: `${base}  pinstack:gates:\n    loadTest: maybe\n`, message: /must be one of abort, skip, warn/, line: 10, key: "pinstack:gates.loadTest" },
        { name: "activeColor without blue-green", text: base.replace("port: 8000", "port: 8000\n      activeColor: blue"), message: /activeColor applies only to strategy: blue-green/, line: 9, key: "pinstack:services.backend.activeColor" },
        {
            name: "a container name used twice in a pod (a sidecar named like an init container)",
            text: base.replace("port: 8000", "port: 8000\n      initContainers:\n        - name: proxy\n          image: ghcr.io/x/wait\n          tag: 1.0.0\n      sidecars:\n        - name: proxy\n          image: ghcr.io/x/proxy\n          tag: 2.0.1"),
            message: /container name 'proxy' is already used by initContainers\[0\]: the names of a pod's containers must differ/,
            line: 14,
            key: "pinstack:services.backend.sidecars[0].name",
        },
        {
            name: "a sidecar named after its service (the service's own container)",
            text: base.replace("port: 8000", "port: 8000\n      sidecars:\n        - name: backend\n          image: ghcr.io/x/proxy\n          tag: 2.0.1"),
            message: /container name 'backend' is already used by the service's own container/,
            line: 10,
            key: "pinstack:services.backend.sidecars[0].name",
        },
        { name: "a malformed provenance seal", text: base.replace("port: 8000", "port: 8000\n      provenance: {from: staging, at: x, by: y, reason: z, seal: abc}"), message: /seal is sha256/, line: 9, key: "pinstack:services.backend.provenance.seal" },
    ];
    for (const c of cases) {
        it(c.name, () => {
            const err = parseError(c.text);
            assert.equal(err.exitCode, 2);
            assert.match(err.message, c.message);
            assert.equal(err.location?.file, "Pulumi.staging.yaml");
            assert.equal(err.location?.line, c.line, `line of ${c.key}`);
            assert.equal(err.location?.key, c.key);
            assert.ok(err.message.startsWith(`Pulumi.staging.yaml:${c.line}:`), err.message);
        });
    }

    it("lists every further problem after the first", () => {
        const err = parseError(base.replace("port: 8000", "port: eighty\n      replicas: many"));
        assert.match(err.why ?? "", /1 more problem:\n.*:9:7: pinstack:services.backend.replicas: must be a whole number/);
    });

    it("malformed YAML names the line", () => {
        const err = parseError(`config:\n  pinstack:environment: staging\n  pinstack:services:\n    backend:\n      image: [ghcr.io/x\n`);
        assert.equal(err.exitCode, 2);
        assert.match(err.message, /malformed YAML/);
        assert.ok((err.location?.line ?? 0) >= 5, `line ${err.location?.line}`);
    });

    it("a duplicate key is malformed YAML, at any depth, naming the second one", () => {
        const err = parseError(`config:\n  pinstack:environment: staging\n  pinstack:environment: production\n`);
        assert.match(err.message, /:3:3: malformed YAML: Map keys must be unique \('pinstack:environment' appears twice\)/);
        assert.match(parseError(base.replace("port: 8000", "port: 8000\n      tag: 2023.05.2")).message, /:9:7: malformed YAML: Map keys must be unique \('tag'/);
        assert.match(parseError(`config:\n  pinstack:environment: staging\n  environment: staging\n`).message, /:3:3: .*'pinstack:environment' appears twice/, "a bare key and its qualified form are the same key");
        assert.match(parseError(`config: {}\nconfig:\n  pinstack:environment: staging\n`).message, /:2:1: .*'config' appears twice/);
    });

    it("a file of several YAML documents is bad input (Pulumi reads one)", () => {
        const err = parseError(`${base}---\nconfig: {}\n`);
        assert.equal(err.exitCode, 2);
        assert.match(err.message, /Pulumi.staging.yaml:1:1: the stack file holds 2 YAML documents/);
    });

    it("a missing closing quote is reported in the yaml package's words, at its line", () => {
        const err = parseError(base.replace("tag: 2023.05.1", 'tag: "2023.05.1'));
        assert.match(err.message, /malformed YAML: .*(quote|Missing closing)/i);
        assert.ok((err.location?.line ?? 0) >= 6, `line ${err.location?.line}`);
    });

    it("positions: quoted keys, anchors and aliases, flow maps and list items point where they are written", () => {
        const text = [
            "config:",
            "  pinstack:environment: production",
            "  pinstack:services:",
            "    api:",
            "      image: ghcr.io/example/api",
            '      "tag": latest',
            "      scheme: calver",
            "      sidecars:",
            "        - {name: proxy, image: ghcr.io/example/proxy, tag: &t latest}",
            "    web: {image: ghcr.io/example/web, tag: *t}",
            "",
        ].join("\n");
        const file = parseStackFileText("Pulumi.production.yaml", text, { project: "pinstack" });
        assert.deepEqual(file.locate("pinstack:services.api.tag"), { file: "Pulumi.production.yaml", line: 6, column: 7, key: "pinstack:services.api.tag" });
        assert.deepEqual(file.locate("pinstack:services.api.sidecars[0]"), { file: "Pulumi.production.yaml", line: 9, column: 11, key: "pinstack:services.api.sidecars[0]" });
        assert.equal(file.locate("pinstack:services.api.sidecars[0].tag").column, 55);
        assert.deepEqual(file.locate("pinstack:services.web.tag"), { file: "Pulumi.production.yaml", line: 10, column: 39, key: "pinstack:services.web.tag" });
        assert.equal((file.raw["pinstack:services"] as Record<string, { tag: string }>).web.tag, "latest", "the alias resolves to the anchored value");
        assert.deepEqual(file.locate("pinstack:services.nope.tag"), { file: "Pulumi.production.yaml", line: 3, column: 3, key: "pinstack:services.nope.tag" }, "an unwritten key: its nearest written parent");
        assert.deepEqual(file.locate("pinstack:hold"), { file: "Pulumi.production.yaml", line: 1, column: 1, key: "pinstack:hold" }, "a missing top-level key: config:");
    });

    it("an unquoted number is Pulumi's number (refused where text belongs); an explicitly tagged one is a number", () => {
        const file = parseStackFileText("Pulumi.staging.yaml", "config:\n  pinstack:packages:\n    a: 1.20\n    b: !!float 1.20\n    c: '1.20'\n", { project: "pinstack" });
        const packages = JSON.parse(JSON.stringify(file.raw))["pinstack:packages"];
        assert.deepEqual(packages, { a: 1.2, b: 1.2, c: "1.20" });
        assert.throws(
            () => parseStackConfig("staging", file.file, file.raw, file.locate, { secretKeys: file.secretKeys }),
            (err: PinstackError) => /:4:5: pinstack:packages.b.version: must be a string, not the number 1.2/.test(`${err.message}\n${err.why}`),
            "!!float asks for a number, which a version is not",
        );
        const unquoted = parseStackFileText("Pulumi.staging.yaml", "config:\n  pinstack:packages:\n    a: 1.20\n    c: '1.20'\n", { project: "pinstack" });
        assert.throws(() => parseStackConfig("staging", unquoted.file, unquoted.raw, unquoted.locate), /pinstack:packages\.a\.version: unquoted 1\.20 /);
        const ok = parseStackFileText("Pulumi.staging.yaml", "config:\n  pinstack:packages:\n    a: '1.20'\n    c: \"1.20\"\n", { project: "pinstack" });
        const config = parseStackConfig("staging", ok.file, ok.raw, ok.locate, { secretKeys: ok.secretKeys });
        assert.deepEqual(
            config.packages.map((p) => [p.name, p.version]),
            [["a", "1.20"], ["c", "1.20"]],
        );
    });

    it("secure: values are dropped at any depth, in lists too, and their keys recorded", () => {
        const text = "config:\n  pinstack:environment: staging\n  app:token:\n    secure: v1:abc\n  pinstack:gates:\n    key:\n      secure: v1:def\n  app:list:\n    - secure: v1:ghi\n    - plain\n";
        const file = parseStackFileText("Pulumi.staging.yaml", text, { project: "pinstack" });
        assert.deepEqual(file.secretKeys, ["app:token", "pinstack:gates.key", "app:list[0]"]);
        assert.deepEqual(file.raw, { "pinstack:environment": "staging", "pinstack:gates": {}, "app:list": ["plain"] });
        assert.ok(!JSON.stringify(file.raw).includes("v1:"), "no ciphertext survives");
    });

    it("an empty file (or comments only) is bad input", () => {
        for (const text of ["", "\n\n", "# nothing here\n"]) {
            const err = parseError(text);
            assert.equal(err.exitCode, 2);
            assert.match(err.message, /Pulumi.staging.yaml:1: the stack file is empty/);
        }
    });

    it("a file that is not a mapping, or config: that is not one", () => {
        assert.match(parseError("- a\n- b\n").message, /must be a YAML mapping/);
        assert.match(parseError("config: 5\n").message, /config: must be a mapping/);
    });

    it("a stack without pinstack:environment follows the preset of its name, or is refused", () => {
        assert.equal(parse("config:\n  pinstack:namespace: prod\n", "production").environment, "production");
        assert.match(parseError("config:\n  pinstack:namespace: qa\n", "qa").message, /pinstack:environment is missing and 'qa' is not a preset/);
    });
});

describe("lib/config: files and stacks on disk", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinstack-config-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("readStackFile: a missing file is bad input that says so", () => {
        assert.throws(() => readStackFile(path.join(dir, "Pulumi.nope.yaml")), (err: unknown) => err instanceof PinstackError && err.exitCode === 2 && /no such stack file/.test(err.message));
    });

    it("loadStack: an unknown stack lists the known ones", () => {
        fs.writeFileSync(path.join(dir, "Pulumi.staging.yaml"), base);
        assert.throws(
            () => loadStack(dir, "prod"),
            (err: unknown) => err instanceof PinstackError && err.exitCode === 2 && /unknown stack 'prod'/.test(err.message) && /staging/.test(err.why ?? ""),
        );
    });

    it("loadAllStacks: a directory without stack files is bad input", () => {
        assert.throws(() => loadAllStacks(dir), (err: unknown) => err instanceof PinstackError && /no stack files/.test(err.message));
    });

    it("listStacks reads Pulumi.<stack>.yaml names only", () => {
        for (const name of ["Pulumi.yaml", "Pulumi.a.yaml", "Pulumi.b-c.yaml", "Pulumi.d.yml", "notes.yaml"]) fs.writeFileSync(path.join(dir, name), "");
        assert.deepEqual(listStacks(dir), ["a", "b-c", "d"]);
    });

    it("uses the project name of Pulumi.yaml for bare keys", () => {
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: other\nruntime: nodejs\n");
        fs.writeFileSync(path.join(dir, "Pulumi.staging.yaml"), "config:\n  pinstack:environment: staging\n  services: {}\n");
        const config = loadStack(dir, "staging");
        assert.equal(config.services.length, 0, "other:services is not pinstack's");
    });
});
