import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { AnnotationKeys, LabelKeys } from "../../../lib/contract";
import { main as pinstack } from "../../../cli/main";
import { sealProvenance, serviceSubject } from "../../../lib/provenance";
import { Harness, mockEngine, promiseOf, registryDigest } from "../components/harness";
import { asPulumiConfig, mockKubeconfig, projectDir, stackFileConfig, stackNames } from "./stackFiles";
import program = require("../../../index");

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";
const CONFIGMAP = "kubernetes:core/v1:ConfigMap";
const JOB = "kubernetes:batch/v1:Job";
const ECR = "aws:ecr/repository:Repository";

type Edit = (config: Record<string, any>) => void;

/**
 * Runs the whole program (index.ts) once under fresh mocks, with the config of the real
 * Pulumi.<stack>.yaml (after `edit`), as the language host would pass it.
 */
async function runStack(stack: string, edit: Edit = () => undefined, options: { preview?: boolean } = {}) {
    const engine = await mockEngine({ stack, preview: options.preview });
    const config = stackFileConfig(stack);
    edit(config);
    pulumi.runtime.setAllConfig(asPulumiConfig(config));
    const outputs = (await program()) as Record<string, any>;
    await engine.settle();
    return { engine, outputs, config };
}

/** The program's failure, with the number of resources registered before it. */
async function failure(stack: string, edit: Edit, base?: Record<string, any>): Promise<{ error: Error; registered: number }> {
    const engine = await mockEngine({ stack });
    const config = base ?? stackFileConfig(stack);
    edit(config);
    pulumi.runtime.setAllConfig(asPulumiConfig(config));
    try {
        await program();
    } catch (error) {
        await engine.settle();
        return { error: error as Error, registered: engine.registrations.length };
    }
    throw new Error("the program should have stopped");
}

function reference(image: string, tag?: string, digest?: string): string {
    return `${image}${tag ? `:${tag}` : ""}${digest ? `@${digest}` : ""}`;
}

function containerImage(engine: Harness, deployment: string): string {
    return engine.named(DEPLOYMENT, deployment).inputs.spec.template.spec.containers[0].image;
}

function versionFile(engine: Harness, deployment: string): any {
    const volumes = engine.named(DEPLOYMENT, deployment).inputs.spec.template.spec.volumes;
    const name = volumes.find((v: any) => v.name === "version").configMap.name;
    return JSON.parse(engine.named(CONFIGMAP, name).inputs.data["version.json"]);
}

/** Runs `pinstack` in-process (as tests/cli does as a process) and captures what it prints. */
async function runPinstack(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const out = process.stdout.write.bind(process.stdout);
    const err = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((chunk: any) => ((stdout += chunk), true)) as typeof process.stdout.write;
    process.stderr.write = ((chunk: any) => ((stderr += chunk), true)) as typeof process.stderr.write;
    try {
        const code = await pinstack(args);
        return { code, stdout, stderr };
    } finally {
        process.stdout.write = out;
        process.stderr.write = err;
        process.exitCode = undefined;
    }
}

/** A copy of the project's Pulumi.yaml and one stack file written from `config`, as the working directory. */
function inProjectCopy<T>(stack: string, config: Record<string, any>, body: (dir: string) => Promise<T>): Promise<T> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinstack-program-"));
    fs.copyFileSync(path.join(projectDir, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), YAML.stringify({ config }, { defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "PLAIN" }) /* as a person writes it: Pulumi reads an unquoted time as a time */);
    const cwd = process.cwd();
    process.chdir(dir);
    return body(dir).finally(() => {
        process.chdir(cwd);
        fs.rmSync(dir, { recursive: true, force: true });
    });
}

describe("program (index.ts) under mocks", () => {
    for (const stack of stackNames) {
        describe(`Pulumi.${stack}.yaml`, () => {
            it("runs every service's image exactly as pinned, in the stack's namespace", async () => {
                const { engine, config } = await runStack(stack);
                for (const [name, pin] of Object.entries<any>(config["pinstack:services"])) {
                    const pinned = reference(pin.image, pin.tag, pin.digest);
                    if (pin.strategy === "blue-green") {
                        const active = pin.activeColor ?? "blue";
                        const standby = active === "blue" ? "green" : "blue";
                        assert.strictEqual(containerImage(engine, `${name}-${active}`), pinned);
                        const previous = pin.previous ? reference(pin.image, pin.previous.tag, pin.previous.digest) : pinned;
                        assert.strictEqual(containerImage(engine, `${name}-${standby}`), previous);
                    } else {
                        assert.strictEqual(containerImage(engine, name), pinned);
                    }
                }
                const namespaced = engine.registrations.filter((r) => r.type.startsWith("kubernetes:") && r.inputs.metadata?.namespace !== undefined);
                assert.ok(namespaced.length > 0);
                for (const r of namespaced) assert.strictEqual(r.inputs.metadata.namespace, config["pinstack:namespace"], `${r.type} ${r.name}`);
                assert.deepStrictEqual(engine.ofType("kubernetes:core/v1:Namespace").map((n) => n.inputs.metadata.name), [config["pinstack:namespace"]]);
            });

            it("deploys through one provider: playground renders to out/<stack>, staging and production to a cluster", async () => {
                const { engine } = await runStack(stack);
                const [provider] = engine.ofType("pulumi:providers:kubernetes");
                if (stack === "playground") {
                    assert.strictEqual(provider.inputs.renderYamlToDirectory, `out/${stack}`);
                    assert.strictEqual(provider.inputs.kubeconfig, undefined);
                } else {
                    assert.strictEqual(provider.inputs.kubeconfig, mockKubeconfig);
                    assert.strictEqual(provider.inputs.renderYamlToDirectory, undefined);
                    // The repository's own file names the local cluster of scripts/cluster.
                    assert.match(fs.readFileSync(path.join(projectDir, `Pulumi.${stack}.yaml`), "utf8"), /^ {2}pinstack:kubeconfig: \.pinstack\/cluster\/kubeconfig$/m);
                }
                const objects = engine.registrations.filter((r) => r.type.startsWith("kubernetes:"));
                for (const r of objects) assert.ok(r.provider.startsWith(`${provider.urn}::`), `${r.type} ${r.name} uses ${r.provider}`);
            });

            it("runs each migrations Job before the Deployment that runs its pin", async () => {
                const { engine, config } = await runStack(stack);
                const withMigrations = Object.entries<any>(config["pinstack:services"]).filter(([, pin]) => pin.migrations);
                assert.ok(withMigrations.length > 0, "the stack file has a service with migrations");
                for (const [name, pin] of withMigrations) {
                    const job = engine.ofType(JOB).find((j) => j.inputs.metadata.name.startsWith(`${name}-migrate-`));
                    assert.ok(job, `a migrations Job for ${name}`);
                    assert.deepStrictEqual(job.inputs.spec.template.spec.containers[0].command, pin.migrations.command);
                    assert.strictEqual(job.inputs.spec.template.spec.containers[0].image, reference(pin.image, pin.tag, pin.digest));
                    const deployment = pin.strategy === "blue-green" ? `${name}-${pin.activeColor ?? "blue"}` : name;
                    assert.ok(engine.named(DEPLOYMENT, deployment).dependencies.includes(job.urn));
                }
            });

            it("points each blue-green Service at the active colour", async () => {
                const { engine, config } = await runStack(stack);
                const blueGreen = Object.entries<any>(config["pinstack:services"]).filter(([, pin]) => pin.strategy === "blue-green");
                assert.ok(blueGreen.length > 0, "the stack file has a blue-green service");
                for (const [name, pin] of blueGreen) {
                    assert.strictEqual(engine.named(SERVICE, name).inputs.spec.selector[LabelKeys.color], pin.activeColor ?? "blue");
                }
            });

            it("serves version.json with the version, commit, image and origin of each pin", async () => {
                const { engine, config } = await runStack(stack);
                for (const [name, pin] of Object.entries<any>(config["pinstack:services"])) {
                    const deployment = pin.strategy === "blue-green" ? `${name}-${pin.activeColor ?? "blue"}` : name;
                    assert.deepStrictEqual(versionFile(engine, deployment), {
                        service: name,
                        version: pin.version ?? pin.tag,
                        commit: pin.commit ?? "",
                        image: reference(pin.image, pin.tag, pin.digest),
                        promotedFrom: pin.provenance?.from ?? "",
                    });
                }
            });

            it("creates no AWS resources while cloud is off", async () => {
                const { engine, outputs } = await runStack(stack, (c) => {
                    c["pinstack:cloud"] = false;
                });
                assert.deepStrictEqual(engine.registrations.filter((r) => r.type.startsWith("aws:")), []);
                assert.deepStrictEqual(outputs.repositories, {});
            });

            it("exports the pins as deployed, as a plain object", async () => {
                const { outputs, config } = await runStack(stack);
                assert.strictEqual(outputs.environment, config["pinstack:environment"]);
                assert.strictEqual(outputs.hold, false);
                for (const [name, pin] of Object.entries<any>(config["pinstack:services"])) {
                    const exported = outputs.pins.services[name];
                    assert.strictEqual(exported.image, pin.image);
                    assert.strictEqual(exported.tag, pin.tag);
                    assert.strictEqual(exported.version, pin.version ?? pin.tag);
                    if (pin.digest) assert.strictEqual(exported.digest, pin.digest);
                    else assert.ok(!("digest" in exported), "no digest key where none is known: rollback writes these pins back");
                    assert.strictEqual(await promiseOf(pulumi.output(exported.reference)), reference(pin.image, pin.tag, pin.digest));
                }
                const packages = Object.fromEntries(Object.entries<any>(config["pinstack:packages"]).map(([name, p]) => [name, { version: p.version, channel: p.channel }]));
                assert.deepStrictEqual(outputs.pins.packages, packages);
            });
        });
    }

    describe("production", () => {
        it("exports a service's init containers and sidecars with its pin, as configured (rollback and history read them)", async () => {
            const proxy = { name: "proxy", image: "ghcr.io/pinstack-example/proxy", tag: "2.0.1", digest: `sha256:${"d".repeat(64)}` };
            const { outputs } = await runStack("production", (c) => {
                const backend = c["pinstack:services"].backend;
                backend.sidecars = [proxy];
                const { seal: _seal, ...unsealed } = backend.provenance;
                backend.provenance = sealProvenance(serviceSubject({ name: "backend", ...backend }), unsealed);
            });
            assert.deepStrictEqual(outputs.pins.services.backend.sidecars, [proxy]);
            assert.ok(!("initContainers" in outputs.pins.services.backend));
            assert.ok(!("sidecars" in outputs.pins.services.frontend), "nothing for a service without them");
        });

        it("pins every image, standby colour and migrations included, by digest", async () => {
            const { engine } = await runStack("production");
            const images = engine.registrations
                .filter((r) => r.type === DEPLOYMENT || r.type === JOB)
                .flatMap((r) => r.inputs.spec.template.spec.containers.map((c: any) => c.image));
            assert.ok(images.length >= 4);
            for (const image of images) assert.match(image, /^ghcr\.io\/pinstack-example\/\w+:\d{4}\.\d{2}\.\d+@sha256:[0-9a-f]{64}$/);
        });

        it("deploys to Fragalysis' production-stack namespace and carries the provenance", async () => {
            const { engine } = await runStack("production");
            const backend = engine.named(DEPLOYMENT, "backend");
            assert.strictEqual(backend.inputs.metadata.namespace, "production-stack");
            assert.strictEqual(backend.inputs.metadata.annotations[AnnotationKeys.promotedFrom], "staging");
            assert.strictEqual(backend.inputs.metadata.annotations[AnnotationKeys.seal], stackFileConfig("production")["pinstack:services"].backend.provenance.seal);
            assert.strictEqual(backend.inputs.spec.replicas, 3);
        });

        it("runs in preview too, registering the same objects", async () => {
            const applied = await runStack("production");
            const previewed = await runStack("production", undefined, { preview: true });
            const shape = (engine: Harness) => engine.registrations.map((r) => `${r.type} ${r.name}`).sort();
            assert.deepStrictEqual(shape(previewed.engine), shape(applied.engine));
        });
    });

    describe("cloud on", () => {
        const cloudOn: Edit = (c) => {
            c["pinstack:cloud"] = true;
        };

        for (const [stack, mutability] of [["playground", "MUTABLE"], ["staging", "IMMUTABLE"], ["production", "IMMUTABLE"]] as const) {
            it(`${stack}: one ${mutability} ECR repository per image, scanned on push`, async () => {
                const { engine, outputs } = await runStack(stack, cloudOn);
                const repos = engine.ofType(ECR);
                assert.deepStrictEqual(repos.map((r) => r.inputs.name).sort(), ["pinstack-example/backend", "pinstack-example/frontend"]);
                for (const repo of repos) {
                    assert.strictEqual(repo.inputs.imageTagMutability, mutability);
                    assert.deepStrictEqual(repo.inputs.imageScanningConfiguration, { scanOnPush: true });
                }
                assert.deepStrictEqual(Object.keys(outputs.repositories).sort(), ["pinstack-example/backend", "pinstack-example/frontend"]);
            });
        }

        it("keeps as many images as the preset says", async () => {
            const { engine } = await runStack("production", cloudOn);
            const policy = JSON.parse(engine.ofType("aws:ecr/lifecyclePolicy:LifecyclePolicy")[0].inputs.policy);
            const rule = (tagStatus: string, pattern?: string) =>
                policy.rules.find((r: any) => r.selection.tagStatus === tagStatus && (pattern === undefined || r.selection.tagPatternList?.[0] === pattern));
            assert.strictEqual(rule("tagged", "*").selection.countNumber, 200);
            assert.strictEqual(rule("untagged").selection.countNumber, 14);
        });

        it("never expires the tags the stack runs or rolls back to, in each image's own repository", async () => {
            const { engine } = await runStack("production", cloudOn);
            const kept = (repository: string) => {
                const [policy] = engine.ofType("aws:ecr/lifecyclePolicy:LifecyclePolicy").filter((p) => p.inputs.repository === repository);
                return JSON.parse(policy.inputs.policy).rules
                    .filter((r: any) => r.selection.tagStatus === "tagged" && r.selection.tagPatternList[0] !== "*")
                    .map((r: any) => r.selection.tagPatternList[0]);
            };
            assert.deepStrictEqual(kept("pinstack-example/backend"), ["2023.04.2"]);
            // blue-green: the active colour's tag and the standby's `previous`.
            assert.deepStrictEqual(kept("pinstack-example/frontend"), ["2023.03.1", "2023.04.3"]);
        });

        it("creates one package index and reads the pins from their channel", async () => {
            const { engine, outputs } = await runStack("staging", cloudOn);
            assert.deepStrictEqual(engine.ofType("aws:codeartifact/domain:Domain").map((d) => d.inputs.domain), ["pinstack-staging"]);
            const requirements = engine.named(CONFIGMAP, "pinstack-packages").inputs.data["requirements-staging.txt"];
            assert.match(requirements, /^# channel: staging\n--index-url https:\/\/pinstack-staging-123456789012\.d\.codeartifact\.[^\n]+\/pypi\/staging\/simple\/\nukrdc-services==10\.8\.5rc1\n$/);
            assert.match(await promiseOf(pulumi.output(outputs.packageIndexUrls.release)), /\/pypi\/release\/simple\/$/);
        });

        it("lists the package pins without an index URL while cloud is off", async () => {
            const { engine } = await runStack("production");
            assert.deepStrictEqual(engine.named(CONFIGMAP, "pinstack-packages").inputs.data, {
                "requirements-release.txt": "# channel: release\nukrdc-services==10.8.4\n",
            });
        });
    });

    describe("digest lookups", () => {
        it("resolves staging's tag-only pins when the preset asks and a registry is reachable", async () => {
            const { engine, outputs } = await runStack("staging", (c) => {
                delete c["pinstack:preset"].resolveDigests;
            });
            const backend = "ghcr.io/pinstack-example/backend:2023.05.1";
            assert.strictEqual(containerImage(engine, "backend"), `${backend}@${registryDigest(backend)}`);
            assert.strictEqual(await promiseOf(pulumi.output(outputs.pins.services.backend.digest)), registryDigest(backend));
        });

        it("does not look anything up where the stack file turns it off", async () => {
            const { engine } = await runStack("staging");
            assert.deepStrictEqual(engine.calls, []);
        });
    });

    describe("a change's effect", () => {
        /** Exchanges a blue-green service's pin with its previous one and flips the colour. */
        const switchBack = (frontend: any) => {
            const { tag, digest } = frontend.previous;
            frontend.previous = { tag: frontend.tag, ...(frontend.digest ? { digest: frontend.digest } : {}) };
            frontend.tag = tag;
            if (digest) frontend.digest = digest;
            else delete frontend.digest;
            frontend.activeColor = frontend.activeColor === "green" ? "blue" : "green";
        };
        const changedInputs = (before: Harness, after: Harness) => {
            const inputs = (engine: Harness) => new Map(engine.registrations.map((r) => [`${r.type} ${r.name}`, JSON.stringify(r.inputs)]));
            const a = inputs(before);
            const b = inputs(after);
            assert.deepStrictEqual([...b.keys()].sort(), [...a.keys()].sort());
            return [...a.keys()].filter((key) => a.get(key) !== b.get(key)).sort();
        };

        it("a blue-green switch changes only the Service selector", async () => {
            const before = await runStack("staging");
            const after = await runStack("staging", (c) => switchBack(c["pinstack:services"].frontend));
            assert.deepStrictEqual(changedInputs(before.engine, after.engine), [`${SERVICE} frontend`]);
            const selector = (engine: Harness) => engine.named(SERVICE, "frontend").inputs.spec.selector;
            assert.deepStrictEqual(selector(before.engine), { [LabelKeys.name]: "frontend", [LabelKeys.color]: "green" });
            assert.deepStrictEqual(selector(after.engine), { [LabelKeys.name]: "frontend", [LabelKeys.color]: "blue" });
        });

        it("a production switch back (a sealed rollback) moves the provenance, no pod changes", async () => {
            const before = await runStack("production");
            const after = await runStack("production", (c) => {
                const frontend = c["pinstack:services"].frontend;
                switchBack(frontend);
                frontend.provenance = sealProvenance(serviceSubject({ name: "frontend", ...frontend }), {
                    from: "staging",
                    at: "2023-05-03T08:00:00Z",
                    by: "oncall@pinstack.example",
                    reason: "2023.04.3 breaks uploads",
                    rollback: true,
                });
            });
            assert.deepStrictEqual(changedInputs(before.engine, after.engine), [
                `${DEPLOYMENT} frontend-blue`,
                `${DEPLOYMENT} frontend-green`,
                `${SERVICE} frontend`,
            ]);
            for (const color of ["blue", "green"]) {
                const deployment = (engine: Harness) => engine.named(DEPLOYMENT, `frontend-${color}`).inputs;
                assert.deepStrictEqual(deployment(after.engine).spec, deployment(before.engine).spec, `no pod of ${color} changes`);
            }
            const green = after.engine.named(DEPLOYMENT, "frontend-green").inputs.metadata.annotations;
            assert.strictEqual(green[AnnotationKeys.rollback], "true");
            assert.strictEqual(after.engine.named(DEPLOYMENT, "frontend-blue").inputs.metadata.annotations[AnnotationKeys.seal], undefined);
        });

        it("opening the read-only window and clearing it only touches the flag and the pod template hash", async () => {
            const open = await runStack("staging");
            const closed = await runStack("staging", (c) => {
                c["pinstack:services"].backend.readOnly = false;
            });
            assert.strictEqual(open.engine.named(CONFIGMAP, "backend-config").inputs.data.READ_ONLY, "true");
            assert.strictEqual(closed.engine.named(CONFIGMAP, "backend-config").inputs.data.READ_ONLY, "false");
            const spec = (engine: Harness) => engine.named(DEPLOYMENT, "backend").inputs.spec.template.spec;
            assert.deepStrictEqual(spec(closed.engine), spec(open.engine));
        });
    });

    describe("secrets: anything under a secure: value is secret for every use", () => {
        const PASSWORD = "postgres://admin:s3cr3t-hunter2-e2e@db/app";
        /** The stack file holds `secure:` where `at` points; Pulumi hands the program the decrypted value. */
        function withSecret(at: string[], decrypted: unknown, edit: Edit = () => undefined) {
            const file = stackFileConfig("staging");
            edit(file);
            const plain = JSON.parse(JSON.stringify(file));
            let fileNode = file;
            let plainNode = plain;
            for (const part of at.slice(0, -1)) {
                fileNode = fileNode[part];
                plainNode = plainNode[part];
            }
            fileNode[at[at.length - 1]] = { secure: "v1:Q0lQSEVSVEVYVA==" };
            plainNode[at[at.length - 1]] = decrypted;
            return { file, plain };
        }

        it("a whole env map set with --secret --path: every entry goes to the env Secret, none into a pod spec", async () => {
            const { file, plain } = withSecret(["pinstack:services", "backend", "env"], JSON.stringify({ DB_URL: PASSWORD, MODE: "blue" }));
            await inProjectCopy("staging", file, async () => {
                const engine = await mockEngine({ stack: "staging" });
                pulumi.runtime.setAllConfig(asPulumiConfig(plain));
                await program();
                await engine.settle();
                const deployment = engine.named(DEPLOYMENT, "backend");
                const env = deployment.inputs.spec.template.spec.containers[0].env.filter((e: { name: string }) => e.name !== "READ_ONLY");
                assert.deepStrictEqual(env, [
                    { name: "DB_URL", valueFrom: { secretKeyRef: { name: "backend-env", key: "DB_URL" } } },
                    { name: "MODE", valueFrom: { secretKeyRef: { name: "backend-env", key: "MODE" } } },
                ]);
                const everythingButTheSecret = engine.registrations.filter((r) => r.type !== "kubernetes:core/v1:Secret");
                assert.ok(!JSON.stringify(everythingButTheSecret.map((r) => r.inputs)).includes("hunter2"), "no secret value outside the Secret");
                assert.ok(engine.named("kubernetes:core/v1:Secret", "backend-env"), "the Secret exists");
            });
        });

        for (const [what, at, decrypted] of [
            ["a secret scalar where pinstack reads a pin (tag)", ["pinstack:services", "backend", "tag"], PASSWORD],
            ["a secret mapping where a probe belongs (readiness)", ["pinstack:services", "backend", "readiness"], PASSWORD],
            ["a secret list where the sidecars belong", ["pinstack:services", "backend", "sidecars"], JSON.stringify([{ name: "x", image: PASSWORD }])],
            ["a secret hold flag", ["pinstack:hold"], "true"],
            ["a whole service", ["pinstack:services", "backend"], JSON.stringify({ image: "ghcr.io/x/y", tag: PASSWORD })],
        ] as const) {
            it(`${what} stops the program, naming the key and never the value`, async () => {
                const { file, plain } = withSecret([...at], decrypted);
                await inProjectCopy("staging", file, async (dir) => {
                    const { error, registered } = await failure("staging", () => undefined, plain);
                    assert.strictEqual(registered, 0);
                    const key = at.length === 1 ? at[0] : `${at[0]}.${at.slice(1).join(".")}`;
                    assert.match(error.message, new RegExp(`^Pulumi\\.staging\\.yaml:\\d+:\\d+: ${key.replace(/[.:]/g, "\\$&")}: a secret \\(secure:\\) cannot stand here: pinstack reads this key`));
                    assert.ok(!error.message.includes("hunter2") && !error.message.includes("admin"), error.message);
                    const cli = await runPinstack(["-C", dir, "check", "--stack", "staging"]);
                    assert.strictEqual(cli.code, 2, "check refuses it too (it reads the file, so it never sees the value)");
                    assert.strictEqual(`error: ${error.message}`, cli.stderr.trimEnd());
                });
            });
        }

        for (const [what, decrypted, expected] of [
            ["a secret env map that is not a mapping", PASSWORD, /pinstack:services\.backend\.env: must be a mapping \(key: value lines\), not a secret value \(a string; not shown\)/],
            ["a secret env map that is a list", JSON.stringify([PASSWORD]), /pinstack:services\.backend\.env: must be a mapping \(key: value lines\), not a secret value \(a list; not shown\)/],
            ["a secret env map whose entry is a number", JSON.stringify({ DB_PORT: 987654321 }), /pinstack:services\.backend\.env\.DB_PORT: must be a string, not a secret value \(a number; not shown\)/],
        ] as const) {
            it(`${what}: the type error names the key and the type, never the value`, async () => {
                const { file, plain } = withSecret(["pinstack:services", "backend", "env"], decrypted);
                await inProjectCopy("staging", file, async () => {
                    const { error, registered } = await failure("staging", () => undefined, plain);
                    assert.strictEqual(registered, 0);
                    assert.match(error.message, expected);
                    assert.ok(!error.message.includes("hunter2") && !error.message.includes("987654321"), error.message);
                });
            });
        }

        it("a pinstack key Pulumi hands over as secret that the stack file does not explain counts as secret whole", async () => {
            const plain = stackFileConfig("staging");
            plain["pinstack:gates"] = { acceptanceComplete: PASSWORD };
            await inProjectCopy("staging", stackFileConfig("staging"), async () => {
                const previous = process.env.PULUMI_CONFIG_SECRET_KEYS;
                process.env.PULUMI_CONFIG_SECRET_KEYS = JSON.stringify(["pinstack:gates"]);
                try {
                    const { error } = await failure("staging", () => undefined, plain);
                    assert.match(error.message, /pinstack:gates: a secret \(secure:\) cannot stand here/);
                    assert.ok(!error.message.includes("hunter2"), error.message);
                } finally {
                    if (previous === undefined) delete process.env.PULUMI_CONFIG_SECRET_KEYS;
                    else process.env.PULUMI_CONFIG_SECRET_KEYS = previous;
                }
            });
        });
    });

    describe("invalid config stops the program before any resource", () => {
        it("stops on a malformed pin with the message pinstack prints, naming file, line and key", async () => {
            const config = stackFileConfig("staging");
            config["pinstack:services"].backend.tag = "2023.05.1 ";
            config["pinstack:services"].backend.port = "eighty";
            await inProjectCopy("staging", config, async (dir) => {
                const { error, registered } = await failure("staging", (c) => {
                    c["pinstack:services"].backend.tag = "2023.05.1 ";
                    c["pinstack:services"].backend.port = "eighty";
                });
                assert.strictEqual(registered, 0);
                assert.ok(pulumi.RunError.isInstance(error), "a RunError: Pulumi prints the message without a stack trace");
                assert.strictEqual(error.stack, undefined, "no stack for Pulumi's handler to format (minutes per failure)");
                assert.match(error.message, /^Pulumi\.staging\.yaml:\d+:\d+: pinstack:services\.backend\.port: must be a whole number/);
                const cli = await runPinstack(["-C", dir, "check", "--stack", "staging"]);
                assert.strictEqual(cli.code, 2);
                // Pulumi shows a program's failure as "error: <message>".
                assert.strictEqual(`error: ${error.message}`, cli.stderr.trimEnd());
            });
        });

        it("stops on a mandatory rule with `pinstack check`'s report", async () => {
            const edit: Edit = (c) => {
                delete c["pinstack:services"].backend.digest;
            };
            const config = stackFileConfig("production");
            edit(config);
            await inProjectCopy("production", config, async (dir) => {
                const { error, registered } = await failure("production", edit);
                assert.strictEqual(registered, 0);
                assert.ok(pulumi.RunError.isInstance(error));
                assert.match(error.message, /Pulumi\.production\.yaml:\d+:\d+: pinstack:services\.backend[^\n]*error \[digest-required\]/);
                assert.match(error.message, /production: refused, \d+ errors?, 0 warnings$/);
                const cli = await runPinstack(["-C", dir, "check", "--stack", "production"]);
                assert.strictEqual(cli.code, 1);
                assert.strictEqual(error.message, cli.stdout.trimEnd());
            });
        });

        it("stops when the stack file switches production to playground, with the refusal `pinstack check` prints (exit 1)", async () => {
            const edit: Edit = (c) => {
                c["pinstack:environment"] = "playground";
            };
            const config = stackFileConfig("production");
            edit(config);
            await inProjectCopy("production", config, async (dir) => {
                const { error, registered } = await failure("production", edit);
                assert.strictEqual(registered, 0);
                assert.ok(pulumi.RunError.isInstance(error));
                assert.match(error.message, /^Pulumi\.production\.yaml:\d+:\d+: pinstack:environment: the environment is below stack production's floor: the file sets playground, the floor is production/);
                const cli = await runPinstack(["-C", dir, "check", "--stack", "production"]);
                assert.strictEqual(cli.code, 1);
                assert.strictEqual(`error: ${error.message}`, cli.stderr.trimEnd());
            });
        });

        it("stops when the stack lowers a rule below its pack config's level (policies/config.production.json)", async () => {
            const { error, registered } = await failure("production", (c) => {
                c["pinstack:preset"].levels = { provenance: "advisory" };
            });
            assert.strictEqual(registered, 0);
            assert.match(error.message, /pinstack:preset\.levels\.provenance: rule provenance is below stack production's floor: the file sets advisory, the floor is mandatory/);
            assert.match(error.message, /floor \(policies\/config\.production\.json\)/);
        });

        it("stops on an unknown environment", async () => {
            const { error, registered } = await failure("staging", (c) => {
                c["pinstack:environment"] = "prod";
            });
            assert.strictEqual(registered, 0);
            assert.match(error.message, /^Pulumi\.staging\.yaml:3:\d+: pinstack:environment: unknown environment 'prod'/);
        });

        it("stops, naming file, line and key, when pinstack:kubeconfig names no file (no cluster started)", async () => {
            const { error, registered } = await failure("staging", (c) => {
                c["pinstack:kubeconfig"] = ".pinstack/no-such-cluster/kubeconfig";
            });
            assert.strictEqual(registered, 0);
            assert.ok(pulumi.RunError.isInstance(error));
            const line = fs.readFileSync(path.join(projectDir, "Pulumi.staging.yaml"), "utf8").split("\n").findIndex((l) => l.includes("pinstack:kubeconfig:")) + 1;
            assert.match(error.message, new RegExp(`^Pulumi\\.staging\\.yaml:${line}:3: pinstack:kubeconfig: \\.pinstack/no-such-cluster/kubeconfig is not a file\\n  fix: start the local cluster \\(scripts/cluster up\\)`));
        });

        it("refuses renderDir and kubeconfig together (exit 2 in check, a stop in the program)", async () => {
            const { error, registered } = await failure("staging", (c) => {
                c["pinstack:renderDir"] = "out/staging";
            });
            assert.strictEqual(registered, 0);
            assert.match(error.message, /^Pulumi\.staging\.yaml:\d+:3: pinstack:kubeconfig: pinstack:renderDir and pinstack:kubeconfig exclude each other/);
        });

        it("names the file even when the stack has none (config from --config only)", async () => {
            const { error, registered } = await failure("ci-only", (c) => {
                c["pinstack:services"] = { backend: { image: "ghcr.io/pinstack-example/Backend" } };
            }, { "pinstack:environment": "staging" });
            assert.strictEqual(registered, 0);
            assert.match(error.message, /^Pulumi\.ci-only\.yaml: pinstack:services\.backend\.image: invalid image/);
        });

        it("lets advisory findings through on playground, as warnings", async () => {
            const { engine } = await runStack("playground", (c) => {
                c["pinstack:services"].backend.tag = "latest";
            });
            assert.strictEqual(containerImage(engine, "backend"), "ghcr.io/pinstack-example/backend:latest");
        });
    });
});
