import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { loadStack } from "../../../lib/config";
import { PinstackError } from "../../../lib/errors";
import { readLedger } from "../../../lib/ledger";
import { applyChanges, planPromotion, PromotionPlan } from "../../../lib/promote";
import { verifySeal, serviceSubject, packageSubject, sealProvenance } from "../../../lib/provenance";
import * as YAML from "yaml";
import { refused } from "../../../lib/errors";
import { evaluateStack, effectivePreset, isRefused } from "../../../lib/rules";
import { BACKEND, digest, environment, fakeRegistry, FRONTEND, history, NOW, productionYaml, project, stagingPins, stagingYaml } from "./support/project";

const m0 = (stack: ReturnType<typeof loadStack>) => {
    const backend = stack.services.find((s) => s.name === "backend")!;
    return { image: backend.image, tag: backend.tag, digest: backend.digest };
};
const refusedWith = (pattern: RegExp) => (e: unknown) => e instanceof PinstackError && e.exitCode === 1 && pattern.test(`${e.message}\n${e.why ?? ""}`);
const badInputWith = (pattern: RegExp) => (e: unknown) => e instanceof PinstackError && e.exitCode === 2 && pattern.test(`${e.message}\n${e.why ?? ""}`);

/** Staging deployed its current pins 2 hours ago (soaked for production's 60 minutes). */
const soaked = () => history([{ minutesAgo: 300, services: stagingPins({ backendTag: "2023.04.2" }), packages: { "ukrdc-services": { version: "10.8.4" } } }, { minutesAgo: 120, services: stagingPins(), packages: { "ukrdc-services": { version: "10.8.5", channel: "staging" } } }], NOW);
const registry = () => fakeRegistry({ [`${BACKEND}:2023.05.1`]: digest("a"), [`${FRONTEND}:2023.05.4`]: digest("f") });

describe("promote: plan and apply", () => {
    let p: ReturnType<typeof project>;
    beforeEach(() => {
        p = project({ "Pulumi.staging.yaml": stagingYaml(), "Pulumi.production.yaml": productionYaml() });
    });
    afterEach(() => p.remove());
    const snapshot = () => Object.fromEntries(fs.readdirSync(p.dir).map((n) => [n, fs.readFileSync(path.join(p.dir, n), "utf8")]));

    it("promotes one service: only its keys change, digest resolved and pinned, sealed provenance, ledger recorded", async () => {
        const before = p.read("Pulumi.production.yaml");
        const resolver = registry();
        const plan = await planPromotion({ from: "staging", to: "production", services: ["backend"], reason: "Release 2023.06.2 (#921)" }, environment(p.dir, { staging: soaked() }), resolver);
        assert.deepEqual(resolver.asked, [`${BACKEND}:2023.05.1`]);
        assert.equal(plan.moves.length, 1);
        const [move] = plan.moves;
        assert.deepEqual([move.kind, move.name, move.change, move.after.tag, move.after.digest, move.resolvedDigest], ["service", "backend", "update", "2023.05.1", digest("a"), digest("a")]);
        assert.deepEqual(move.deployedSince?.version, 2);
        assert.equal(p.read("Pulumi.production.yaml"), before, "planning wrote the file");
        applyChanges([plan.stackEdit, plan.ledgerChange]);

        const after = p.read("Pulumi.production.yaml");
        const stackDiff = plan.stackEdit!.diff.split("\n");
        const removed = stackDiff.filter((l) => l.startsWith("-") && !l.startsWith("---")).map((l) => l.slice(1).trim().split(":")[0]);
        const added = stackDiff.filter((l) => l.startsWith("+") && !l.startsWith("+++")).map((l) => l.slice(1).trim().split(":")[0]);
        assert.deepEqual(removed, ["tag", "digest", "commit", "at", "by", "reason", "seal"]);
        assert.deepEqual(added, ["tag", "digest", "commit", "at", "by", "reason", "seal", "pinstack", "command", "at", "by", "reason", "from"]);
        assert.equal(after.split("\n").length, before.split("\n").length + 6, "only the lastChange block is new");
        assert.ok(after.includes("      tag: 2023.05.1          # calver YYYY.MM.N\n"), "aligned comment kept");
        const production = loadStack(p.dir, "production");
        const backend = production.services.find((s) => s.name === "backend")!;
        assert.equal(backend.digest, digest("a"));
        assert.equal(backend.commit, "3f9c2a1e7b6d", "commit travels with the artifact");
        assert.deepEqual({ ...backend.provenance, seal: undefined }, { from: "staging", at: "2023-06-30T12:00:00Z", by: "ada@example.org", reason: "Release 2023.06.2 (#921)", seal: undefined });
        assert.ok(verifySeal(serviceSubject(backend), backend.provenance!), "seal does not verify");
        assert.equal(production.services.find((s) => s.name === "frontend")!.tag, "2023.04.3", "frontend moved");
        assert.equal(production.packages[0].version, "10.8.4", "package moved");
        assert.deepEqual(evaluateStack(production).filter((v) => v.level === "mandatory"), [], "the written file breaks production's rules");
        const ledger = readLedger(p.dir).ledger;
        assert.deepEqual(ledger.tags["ghcr.io/example/backend:2023.05.1"], { digest: digest("a"), at: "2023-06-30T12:00:00Z", by: "ada@example.org", stack: "production", from: "staging" });
        assert.match(p.read("Pulumi.production.yaml"), /pinstack:lastChange:\n    command: promote\n    at: "2023-06-30T12:00:00Z"\n    by: ada@example.org\n    reason: Release 2023\.06\.2 \(#921\)\n    from: staging\n$/);
        assert.match(plan.diff, /^--- a\/Pulumi\.production\.yaml/);
        assert.match(plan.diff, /\+\+\+ b\/pinstack\.ledger\.json/);
    });

    it("the artifact staging runs, typed into production by hand: promote writes its provenance, so the rule's own fix works", async () => {
        const doc = YAML.parseDocument(p.read("Pulumi.production.yaml"));
        doc.setIn(["config", "pinstack:services", "backend", "tag"], "2023.05.1");
        doc.setIn(["config", "pinstack:services", "backend", "digest"], digest("a"));
        doc.deleteIn(["config", "pinstack:services", "backend", "provenance"]);
        p.write("Pulumi.production.yaml", doc.toString());
        const typedIn = loadStack(p.dir, "production");
        assert.match(evaluateStack(typedIn, effectivePreset(typedIn)).find((v) => v.rule === "provenance")?.message ?? "", /service backend was typed in/);
        const plan = await planPromotion({ from: "staging", to: "production", services: ["backend"], reason: "adopt the hotfix" }, environment(p.dir, { staging: soaked() }), registry());
        assert.deepEqual(plan.moves.map((m) => [m.name, m.after.tag, m.after.digest]), [["backend", "2023.05.1", digest("a")]]);
        applyChanges([plan.stackEdit, plan.ledgerChange]);
        const backend = loadStack(p.dir, "production").services.find((s) => s.name === "backend")!;
        assert.equal(backend.provenance?.from, "staging");
        assert.ok(verifySeal(serviceSubject(backend), backend.provenance!));
    });

    describe("init containers and sidecars travel with their service", () => {
        const MIGRATIONS = `${BACKEND}-migrations`;
        const METRICS = `${BACKEND}-metrics`;
        const PROXY = `${BACKEND}-proxy`;
        const stagingExtras = (migrateTag: string) =>
            `      initContainers:\n        - name: migrate\n          image: ${MIGRATIONS}\n          tag: ${migrateTag}\n      sidecars:\n        - name: metrics\n          image: ${METRICS}\n          tag: 1.4.0\n`;
        const productionExtras = `      initContainers:\n        - name: migrate\n          image: ${MIGRATIONS}\n          tag: 2023.04.2\n          digest: ${digest("5")}\n      sidecars:\n        - name: proxy\n          image: ${PROXY}\n          tag: 2.0.1\n          digest: ${digest("6")}\n`;
        const withExtras = (migrateTag: string) => {
            p.write("Pulumi.staging.yaml", stagingYaml().replace("      commit: 3f9c2a1e7b6d\n", `      commit: 3f9c2a1e7b6d\n${stagingExtras(migrateTag)}`));
            p.write("Pulumi.production.yaml", productionYaml().replace("      commit: 0a1b2c3d4e5f\n", `      commit: 0a1b2c3d4e5f\n${productionExtras}`));
        };
        const extrasRegistry = () =>
            fakeRegistry({ [`${BACKEND}:2023.05.1`]: digest("a"), [`${MIGRATIONS}:2023.05.1`]: digest("b"), [`${MIGRATIONS}:2023.05.2`]: digest("d"), [`${METRICS}:1.4.0`]: digest("c") });
        /** Staging's history: its last update (2 hours ago) ran backend with these containers. */
        const ranOnStaging = (migrate: Record<string, string>, sidecars = [{ name: "metrics", image: METRICS, tag: "1.4.0" }]) => {
            const services = stagingPins();
            services.backend = { ...services.backend, initContainers: [{ name: "migrate", image: MIGRATIONS, ...migrate }], sidecars };
            return history([{ minutesAgo: 120, services }], NOW);
        };
        const promoteBackend = async (resolver: ReturnType<typeof extrasRegistry>, ran = ranOnStaging({ tag: "2023.05.1" })) => {
            const plan = await planPromotion({ from: "staging", to: "production", services: ["backend"], reason: "Release with migrations" }, environment(p.dir, { staging: ran }), resolver);
            applyChanges([plan.stackEdit, plan.ledgerChange]);
            return plan;
        };

        it("the source's containers replace the target's of the same name, with resolved digests; the target's own stay", async () => {
            withExtras("2023.05.1");
            const resolver = extrasRegistry();
            await promoteBackend(resolver);
            assert.deepEqual([...resolver.asked].sort(), [`${BACKEND}:2023.05.1`, `${METRICS}:1.4.0`, `${MIGRATIONS}:2023.05.1`].sort());
            const backend = loadStack(p.dir, "production").services.find((s) => s.name === "backend")!;
            assert.deepEqual(backend.initContainers, [{ name: "migrate", image: MIGRATIONS, tag: "2023.05.1", digest: digest("b") }]);
            assert.deepEqual(backend.sidecars, [
                { name: "proxy", image: PROXY, tag: "2.0.1", digest: digest("6") },
                { name: "metrics", image: METRICS, tag: "1.4.0", digest: digest("c") },
            ]);
            const production = loadStack(p.dir, "production");
            assert.equal(isRefused(evaluateStack(production, effectivePreset(production))), false, "production's rules accept the promoted service");
            // The seal covers every container the service now runs, the target's own proxy included.
            assert.ok(verifySeal(serviceSubject(backend), backend.provenance!), "the seal covers the containers as written");
            assert.equal(verifySeal(serviceSubject({ ...backend, sidecars: [] }), backend.provenance!), false);
        });

        it("a sidecar edited by hand after the promotion breaks the seal, and production's provenance rule refuses it", async () => {
            withExtras("2023.05.1");
            await promoteBackend(extrasRegistry());
            p.write("Pulumi.production.yaml", p.read("Pulumi.production.yaml").replace(`image: ${PROXY}\n          tag: 2.0.1`, `image: ${PROXY}\n          tag: 2.0.2`));
            const production = loadStack(p.dir, "production");
            const findings = evaluateStack(production, effectivePreset(production)).filter((v) => v.rule === "provenance");
            assert.equal(findings.length, 1, JSON.stringify(findings));
            assert.match(findings[0].message, /service backend has a provenance whose seal does not match this pin or its init containers and sidecars/);
            assert.equal(findings[0].level, "mandatory");
        });

        it("an init container that staging has not deployed refuses the promotion, naming what staging ran", async () => {
            withExtras("2023.05.2");
            const before = p.read("Pulumi.production.yaml");
            await assert.rejects(promoteBackend(extrasRegistry()), refusedWith(/service backend 2023\.05\.1 was never successfully deployed on staging: its last successful update \(1, [^)]+\) ran service backend at 2023\.05\.1 with init containers migrate=2023\.05\.1 and sidecars metrics=1\.4\.0/));
            assert.equal(p.read("Pulumi.production.yaml"), before, "nothing written");
        });

        it("a service sealed before seals covered containers: check names it, and promote writes a fresh provenance, nothing else", async () => {
            withExtras("2023.05.1");
            await promoteBackend(extrasRegistry());
            // Re-seal the promoted entry over its image only, as a pinstack from before containers were sealed wrote it.
            const doc = YAML.parseDocument(p.read("Pulumi.production.yaml"));
            const entry = (doc.getIn(["config", "pinstack:services", "backend"]) as YAML.YAMLMap).toJSON();
            const { seal: _seal, ...unsealed } = entry.provenance;
            doc.setIn(["config", "pinstack:services", "backend", "provenance", "seal"], sealProvenance(serviceSubject({ name: "backend", image: entry.image, tag: entry.tag, digest: entry.digest }), unsealed).seal);
            p.write("Pulumi.production.yaml", doc.toString());
            const legacy = loadStack(p.dir, "production");
            const [finding] = evaluateStack(legacy, effectivePreset(legacy)).filter((v) => v.rule === "provenance");
            assert.match(finding.message, /sealed before seals covered init containers and sidecars.*pinstack promote staging production --service backend/);

            const before = p.read("Pulumi.production.yaml");
            const plan = await promoteBackend(extrasRegistry());
            assert.deepEqual(plan.moves.map((m) => [m.name, m.before, m.after]), [["backend", m0(legacy), m0(legacy)]]);
            const changed = plan.diff.split("\n").filter((l) => /^[-+] /.test(l) || /^[-+]\s/.test(l)).filter((l) => !l.startsWith("---") && !l.startsWith("+++"));
            assert.ok(changed.every((l) => /provenance|from:|at:|by:|reason:|seal:|lastChange|command:|update:/.test(l)), `only the provenance and lastChange move:\n${changed.join("\n")}`);
            assert.notEqual(p.read("Pulumi.production.yaml"), before);
            const resealed = loadStack(p.dir, "production");
            const backend = resealed.services.find((s) => s.name === "backend")!;
            assert.deepEqual([backend.tag, backend.sidecars?.length, backend.initContainers?.length], ["2023.05.1", 2, 1]);
            assert.ok(verifySeal(serviceSubject(backend), backend.provenance!));
            assert.deepEqual(evaluateStack(resealed, effectivePreset(resealed)).filter((v) => v.rule === "provenance"), []);
            const again = await planPromotion({ from: "staging", to: "production", services: ["backend"], reason: "r" }, environment(p.dir, { staging: ranOnStaging({ tag: "2023.05.1" }) }), extrasRegistry());
            assert.deepEqual(again.moves, [], "a provenance that verifies is left alone");
        });

        it("a change in an init container alone is a promotion of the service", async () => {
            withExtras("2023.05.1");
            await promoteBackend(extrasRegistry());
            p.write("Pulumi.staging.yaml", p.read("Pulumi.staging.yaml").replace(`image: ${MIGRATIONS}\n          tag: 2023.05.1`, `image: ${MIGRATIONS}\n          tag: 2023.05.2`));
            const plan = await promoteBackend(extrasRegistry(), ranOnStaging({ tag: "2023.05.2" }));
            assert.deepEqual(plan.moves.map((m) => m.name), ["backend"]);
            const backend = loadStack(p.dir, "production").services.find((s) => s.name === "backend")!;
            assert.deepEqual(backend.initContainers, [{ name: "migrate", image: MIGRATIONS, tag: "2023.05.2", digest: digest("d") }]);
            const again = await planPromotion({ from: "staging", to: "production", services: ["backend"], reason: "r" }, environment(p.dir, { staging: ranOnStaging({ tag: "2023.05.2" }) }), extrasRegistry());
            assert.deepEqual(again.moves, [], "nothing left to promote");
        });

        it("a moved tag of an init container refuses the promotion", async () => {
            withExtras("2023.05.1");
            p.write("Pulumi.staging.yaml", p.read("Pulumi.staging.yaml").replace(`tag: 2023.05.1\n      sidecars:`, `tag: 2023.05.1\n          digest: ${digest("e")}\n      sidecars:`));
            await assert.rejects(promoteBackend(extrasRegistry(), ranOnStaging({ tag: "2023.05.1", digest: digest("e") })), refusedWith(/tag moved: .*backend-migrations:2023\.05\.1 is pinned in .*Pulumi\.staging\.yaml at sha256:e+, but the registry now gives sha256:b+/));
        });
    });

    it("with nothing named, promotes every pin of the source in one change; blue-green keeps the old pin as previous and flips colour", async () => {
        const plan = await planPromotion({ from: "staging", to: "production", reason: "Release" }, environment(p.dir, { staging: soaked() }), registry());
        assert.deepEqual(plan.moves.map((m) => `${m.kind}:${m.name}`), ["service:backend", "service:frontend", "package:ukrdc-services"]);
        applyChanges([plan.stackEdit, plan.ledgerChange]);
        const production = loadStack(p.dir, "production");
        const frontend = production.services.find((s) => s.name === "frontend")!;
        assert.deepEqual([frontend.tag, frontend.digest, frontend.activeColor, frontend.previous], ["2023.05.4", digest("f"), "green", { tag: "2023.04.3", digest: digest("9") }]);
        const pkg = production.packages[0];
        assert.equal(pkg.version, "10.8.5");
        assert.equal(pkg.channel, "release", "the target's channel is its own");
        assert.ok(verifySeal(packageSubject(pkg), pkg.provenance!));
        assert.equal(Object.keys(readLedger(p.dir).ledger.tags).length, 2);
    });

    it("nothing to promote when the target already runs the pins", async () => {
        const first = await planPromotion({ from: "staging", to: "production", reason: "r" }, environment(p.dir, { staging: soaked() }), registry());
        applyChanges([first.stackEdit, first.ledgerChange]);
        const second = await planPromotion({ from: "staging", to: "production", reason: "r" }, environment(p.dir, { staging: soaked() }), registry());
        assert.deepEqual(second.moves, []);
        assert.equal(second.stackEdit, undefined);
    });

    it("refuses while the target is on hold, before asking Pulumi or the registry", async () => {
        p.write("Pulumi.production.yaml", productionYaml({ hold: true }));
        const before = snapshot();
        const env = environment(p.dir, { staging: soaked() });
        const resolver = registry();
        await assert.rejects(planPromotion({ from: "staging", to: "production", reason: "r" }, env, resolver), refusedWith(/production is on hold \(incident 940\): only rollbacks pass/));
        assert.deepEqual([env.asked, resolver.asked], [[], []]);
        assert.deepEqual(snapshot(), before);
    });

    describe("deployment and soak evidence from the source's pulumi stack history", () => {
        it("refuses a pin the source never ran, naming what its last update ran", async () => {
            const h = history([{ minutesAgo: 120, services: stagingPins({ backendTag: "2023.04.2" }) }], NOW);
            await assert.rejects(
                planPromotion({ from: "staging", to: "production", services: ["backend"], reason: "r" }, environment(p.dir, { staging: h }), registry()),
                refusedWith(/service backend 2023\.05\.1 was never successfully deployed on staging: its last successful update \(1, .*\) ran service backend at 2023\.04\.2/),
            );
        });

        it("names the failed update that ran the pin, before the last successful one", async () => {
            const h = history([
                { minutesAgo: 200, services: stagingPins({ backendTag: "2023.04.2" }) },
                { minutesAgo: 150, result: "failed", services: stagingPins() },
                { minutesAgo: 120, result: "failed", services: stagingPins({ backendTag: "2023.04.9" }) },
            ], NOW);
            await assert.rejects(
                planPromotion({ from: "staging", to: "production", services: ["backend"], reason: "r" }, environment(p.dir, { staging: h }), registry()),
                refusedWith(/service backend 2023\.05\.1 was never successfully deployed on staging: update 2 \([^)]+\) ran it and failed; its last successful update \(1, [^)]+\) ran service backend at 2023\.04\.2/),
            );
        });

        it("ignores failed updates, previews and refreshes", async () => {
            const h = history([
                { minutesAgo: 200, services: stagingPins({ backendTag: "2023.04.2" }) },
                { minutesAgo: 150, result: "failed", services: stagingPins() },
                { minutesAgo: 100, kind: "refresh", services: stagingPins() },
            ], NOW);
            await assert.rejects(planPromotion({ from: "staging", to: "production", services: ["backend"], reason: "r" }, environment(p.dir, { staging: h }), registry()), refusedWith(/never successfully deployed/));
        });

        it("refuses a pin that has not soaked for the target's soakMinutes, counted from the deployment that started the current run", async () => {
            // Deployed 3h ago, replaced 2h ago, deployed again 30 min ago: it has soaked 29 minutes, not 3 hours.
            const h = history([
                { minutesAgo: 180, services: stagingPins() },
                { minutesAgo: 120, services: stagingPins({ backendTag: "2023.04.9" }) },
                { minutesAgo: 30, services: stagingPins() },
                { minutesAgo: 10, services: stagingPins() },
            ], NOW);
            await assert.rejects(
                planPromotion({ from: "staging", to: "production", services: ["backend"], reason: "r" }, environment(p.dir, { staging: h }), registry()),
                refusedWith(/service backend 2023\.05\.1 has run on staging for 29 min \(since update 3\); production needs 60 min of soak/),
            );
            const longer = history([{ minutesAgo: 62, services: stagingPins() }], NOW);
            const plan = await planPromotion({ from: "staging", to: "production", services: ["backend"], reason: "r" }, environment(p.dir, { staging: longer }), registry());
            assert.equal(plan.moves[0].deployedSince?.version, 1);
        });

        it("soak comes from the target preset, with the stack's own override", async () => {
            p.write("Pulumi.production.yaml", productionYaml({ soakMinutes: 0 }));
            const h = history([{ minutesAgo: 2, services: stagingPins() }], NOW);
            const plan = await planPromotion({ from: "staging", to: "production", services: ["backend"], reason: "r" }, environment(p.dir, { staging: h }), registry());
            assert.equal(plan.moves.length, 1);
        });

        it("reports every pin that lacks evidence at once", async () => {
            await assert.rejects(
                planPromotion({ from: "staging", to: "production", reason: "r" }, environment(p.dir, { staging: [] }), registry()),
                (e: unknown) => e instanceof PinstackError && e.exitCode === 1 && /2 more:/.test(e.why ?? "") && /package ukrdc-services/.test(e.why ?? ""),
            );
        });

        it("--allow-undeployed skips the evidence (Pulumi is not asked) and records it in the sealed provenance", async () => {
            const env = environment(p.dir, { staging: new Error("must not be asked") });
            const plan = await planPromotion({ from: "staging", to: "production", services: ["backend"], reason: "hotfix", allowUndeployed: true }, env, registry());
            assert.deepEqual(env.asked, []);
            assert.equal(plan.moves[0].provenance.allowUndeployed, true);
            applyChanges([plan.stackEdit, plan.ledgerChange]);
            const backend = loadStack(p.dir, "production").services.find((s) => s.name === "backend")!;
            assert.equal(backend.provenance?.allowUndeployed, true);
            assert.ok(verifySeal(serviceSubject(backend), backend.provenance!));
            assert.match(p.read("Pulumi.production.yaml"), /reason: hotfix\n        seal: sha256:[0-9a-f]{64}\n        allowUndeployed: true\n/);
        });

        it("a history that cannot be read is a refusal with its cause", async () => {
            const env = environment(p.dir, { staging: refused("cannot read the update history of stack staging: no stack named 'staging' found") });
            await assert.rejects(planPromotion({ from: "staging", to: "production", reason: "r" }, env, registry()), refusedWith(/no stack named 'staging'/));
        });
    });

    describe("digests and moved tags", () => {
        it("refuses when the registry's digest differs from the one the source pinned", async () => {
            p.write("Pulumi.staging.yaml", stagingYaml({ backendDigest: digest("b") }));
            const h = history([{ minutesAgo: 120, services: stagingPins({ backendDigest: digest("b") }) }], NOW);
            await assert.rejects(
                planPromotion({ from: "staging", to: "production", services: ["backend"], reason: "r" }, environment(p.dir, { staging: h }), registry()),
                refusedWith(/tag moved: ghcr\.io\/example\/backend:2023\.05\.1 is pinned in .*Pulumi\.staging\.yaml at sha256:b{64}, but the registry now gives sha256:a{64}/),
            );
        });

        it("refuses when the ledger recorded another digest for the tag", async () => {
            p.write("pinstack.ledger.json", JSON.stringify({ version: 1, tags: { "ghcr.io/example/backend:2023.05.1": { digest: digest("c"), at: "2023-06-01T00:00:00Z", by: "x", stack: "production", from: "staging" } } }));
            const before = snapshot();
            await assert.rejects(
                planPromotion({ from: "staging", to: "production", services: ["backend"], reason: "r" }, environment(p.dir, { staging: soaked() }), registry()),
                refusedWith(/tag moved: ghcr\.io\/example\/backend:2023\.05\.1 was recorded as sha256:c{64} in pinstack\.ledger\.json \(pinned on production at 2023-06-01T00:00:00Z\), but the registry now gives sha256:a{64}/),
            );
            assert.deepEqual(snapshot(), before);
        });

        it("refuses when another stack file pins the tag at another digest (blue-green previous included)", async () => {
            // Production's frontend keeps 2023.03.1 at digest 1 as `previous`; staging now wants 2023.03.1 with digest 2.
            const staging = stagingYaml().replace("tag: 2023.05.4", `tag: 2023.03.1\n      digest: ${digest("2")}`);
            p.write("Pulumi.staging.yaml", staging);
            const h = history([{ minutesAgo: 120, services: { ...stagingPins(), frontend: { image: FRONTEND, tag: "2023.03.1", digest: digest("2") } } }], NOW);
            const resolver = fakeRegistry({ [`${FRONTEND}:2023.03.1`]: digest("2") });
            await assert.rejects(
                planPromotion({ from: "staging", to: "production", services: ["frontend"], reason: "r" }, environment(p.dir, { staging: h }), resolver),
                refusedWith(/tag moved: ghcr\.io\/example\/frontend:2023\.03\.1 was recorded as sha256:1{64} in .*Pulumi\.production\.yaml \(service frontend, previous\)/),
            );
        });

        it("a registry failure refuses the whole promotion, nothing written", async () => {
            const before = snapshot();
            const resolver = async () => {
                throw refused("cannot reach the registry for ghcr.io/example/backend:2023.05.1 (ENOTFOUND)");
            };
            await assert.rejects(planPromotion({ from: "staging", to: "production", reason: "r" }, environment(p.dir, { staging: soaked() }), resolver), refusedWith(/cannot reach the registry/));
            assert.deepEqual(snapshot(), before);
        });

        it("a target that does not require digests is not sent to the registry", async () => {
            p.write("Pulumi.playground.yaml", "config:\n  pinstack:environment: playground\n  pinstack:services:\n    backend:\n      image: ghcr.io/example/backend\n      tag: 2023.06.1\n      scheme: calver\n");
            const resolver = registry();
            const plan = await planPromotion({ from: "playground", to: "staging", services: ["backend"], reason: "r" }, environment(p.dir, { playground: history([{ minutesAgo: 5, services: { backend: { image: BACKEND, tag: "2023.06.1" } } }], NOW) }), resolver);
            assert.deepEqual(resolver.asked, []);
            assert.equal(plan.ledgerChange, undefined);
            assert.equal(plan.moves[0].after.digest, undefined);
        });
    });

    it("refuses a pin the target's rules refuse (a release candidate in production), nothing written", async () => {
        p.write("Pulumi.staging.yaml", stagingYaml({ packageVersion: "10.8.5rc1" }));
        const h = history([{ minutesAgo: 120, services: stagingPins(), packages: { "ukrdc-services": { version: "10.8.5rc1" } } }], NOW);
        const before = snapshot();
        await assert.rejects(
            planPromotion({ from: "staging", to: "production", packages: ["ukrdc-services"], reason: "r" }, environment(p.dir, { staging: h }), registry()),
            refusedWith(/the promotion would break production's rules: \[no-prereleases\]/),
        );
        assert.deepEqual(snapshot(), before);
    });

    it("checks the rules before asking the registry: a refused tag is reported as such, and the registry is not asked", async () => {
        // A mutable tag that the registry does not know: the refusal must name the rule, not the registry.
        p.write("Pulumi.staging.yaml", stagingYaml({ backendTag: "latest" }));
        const h = history([{ minutesAgo: 120, services: stagingPins({ backendTag: "latest" }) }], NOW);
        const resolver = registry();
        const before = snapshot();
        await assert.rejects(
            planPromotion({ from: "staging", to: "production", services: ["backend"], reason: "r" }, environment(p.dir, { staging: h }), resolver),
            refusedWith(/the promotion would break production's rules: \[no-mutable-tags\]/),
        );
        assert.deepEqual(resolver.asked, [], "the registry was asked before the rules refused");
        assert.deepEqual(snapshot(), before);
    });

    it("the provenance rule refuses pins promoted from a stack production does not take pins from", async () => {
        p.write("Pulumi.playground.yaml", "config:\n  pinstack:environment: playground\n  pinstack:services:\n    backend:\n      image: ghcr.io/example/backend\n      tag: 2023.05.1\n      scheme: calver\n");
        await assert.rejects(
            planPromotion({ from: "playground", to: "production", services: ["backend"], reason: "r", allowUndeployed: true }, environment(p.dir, {}), registry()),
            refusedWith(/\[provenance\] service backend was promoted from 'playground', not from 'staging'/),
        );
    });

    it("bad input (exit 2): unknown stack, service or package; a stack to itself; an empty reason", async () => {
        const env = environment(p.dir, { staging: soaked() });
        await assert.rejects(planPromotion({ from: "staging", to: "prod", reason: "r" }, env, registry()), badInputWith(/unknown stack 'prod'/));
        await assert.rejects(planPromotion({ from: "staging", to: "production", services: ["backend", "worker"], reason: "r" }, env, registry()), badInputWith(/unknown service 'worker' in stack staging/));
        await assert.rejects(planPromotion({ from: "staging", to: "production", packages: ["numpy"], reason: "r" }, env, registry()), badInputWith(/unknown package 'numpy'/));
        await assert.rejects(planPromotion({ from: "staging", to: "staging", reason: "r" }, env, registry()), badInputWith(/to itself/));
        await assert.rejects(planPromotion({ from: "staging", to: "production", reason: "  " }, env, registry()), badInputWith(/--reason is empty/));
    });

    describe("all or nothing", () => {
        it("one service failing a check refuses the whole promotion", async () => {
            const resolver = fakeRegistry({ [`${BACKEND}:2023.05.1`]: digest("a") });
            const before = snapshot();
            await assert.rejects(planPromotion({ from: "staging", to: "production", reason: "r" }, environment(p.dir, { staging: soaked() }), resolver));
            assert.deepEqual(snapshot(), before);
        });

        it("a failure between writing the stack file and the ledger leaves both as they were", async () => {
            const plan: PromotionPlan = await planPromotion({ from: "staging", to: "production", reason: "r" }, environment(p.dir, { staging: soaked() }), registry());
            const before = snapshot();
            assert.throws(() =>
                applyChanges([plan.stackEdit, plan.ledgerChange], {
                    afterRename: (file) => {
                        if (file.endsWith("Pulumi.production.yaml")) throw new Error("injected failure after the stack file");
                    },
                }),
            );
            assert.deepEqual(snapshot(), before);
        });
    });

    it("the would-be config is checked as written: a promotion that keeps production valid passes its whole rule set", async () => {
        const plan = await planPromotion({ from: "staging", to: "production", reason: "r" }, environment(p.dir, { staging: soaked() }), registry());
        applyChanges([plan.stackEdit, plan.ledgerChange]);
        const production = loadStack(p.dir, "production");
        assert.equal(isRefused(evaluateStack(production, effectivePreset(production))), false);
    });
});
