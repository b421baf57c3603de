import { strict as assert } from "assert";
import { loadStack, readStackFile } from "../../../lib/config";
import { PinstackError } from "../../../lib/errors";
import { applyChanges, planHold, planPromotion, planRollback } from "../../../lib/promote";
import { sealProvenance, serviceSubject, verifySeal } from "../../../lib/provenance";
import * as YAML from "yaml";
import type { StackUpdate } from "../../../lib/pulumi-cli";
import { effectivePreset, evaluateStack, isRefused } from "../../../lib/rules";
import { BACKEND, digest, environment, fakeRegistry, FRONTEND, NOW, productionYaml, project, stagingYaml } from "./support/project";
import { writeFileAtomically } from "../../../lib/config/write";

/** A recorded update whose config is the stack file as it is now (what `pulumi up` would record). */
function updateOf(dir: string, stack: string, version: number, minutesAgo: number, result = "succeeded"): StackUpdate {
    const raw = JSON.parse(JSON.stringify(readStackFile(`${dir}/Pulumi.${stack}.yaml`).raw)) as Record<string, unknown>;
    const config: StackUpdate["config"] = Object.fromEntries(
        Object.entries(raw).map(([key, value]) => [key, typeof value === "object" ? { value: JSON.stringify(value), objectValue: value, secret: false } : { value: String(value), secret: false }]),
    );
    const start = new Date(NOW.getTime() - minutesAgo * 60_000);
    return { version, kind: "update", result, startTime: start.toISOString(), endTime: new Date(start.getTime() + 60_000).toISOString(), message: `up ${version}`, environment: {}, config };
}

describe("rollback and hold", () => {
    let p: ReturnType<typeof project>;
    let updates: StackUpdate[];
    const registry = fakeRegistry({ [`${BACKEND}:2023.05.1`]: digest("a"), [`${FRONTEND}:2023.05.4`]: digest("f") });
    beforeEach(async () => {
        p = project({ "Pulumi.staging.yaml": stagingYaml(), "Pulumi.production.yaml": productionYaml() });
        // Update 1 ran the file as it is (2023.04.2); then staging's pins are promoted and deployed as update 2.
        updates = [updateOf(p.dir, "production", 1, 600)];
        const plan = await planPromotion({ from: "staging", to: "production", reason: "Release 2023.06.2", allowUndeployed: true }, environment(p.dir, {}), registry);
        applyChanges([plan.stackEdit, plan.ledgerChange]);
        updates = [updateOf(p.dir, "production", 2, 60), ...updates];
    });
    afterEach(() => p.remove());
    const env = () => environment(p.dir, { production: updates });

    it("restores the pins of the last good update with other pins, as a sealed rollback, and sets hold", () => {
        const plan = planRollback({ stack: "production", reason: "500s after 2023.06.2 (#940)" }, env());
        assert.equal(plan.update.version, 1);
        assert.deepEqual(plan.moves.map((m) => `${m.name}:${m.after.tag ?? m.after.version}`), ["backend:2023.04.2", "frontend:2023.04.3", "ukrdc-services:10.8.4"]);
        applyChanges([plan.edit]);
        const production = loadStack(p.dir, "production");
        assert.equal(production.hold, true);
        assert.equal(production.holdReason, "rollback to update 1: 500s after 2023.06.2 (#940)");
        const backend = production.services.find((s) => s.name === "backend")!;
        assert.deepEqual([backend.tag, backend.digest, backend.commit], ["2023.04.2", digest("4"), "0a1b2c3d4e5f"]);
        assert.equal(backend.provenance?.rollback, true);
        assert.equal(backend.provenance?.from, "staging", "a restored pin keeps where it was promoted from");
        assert.ok(verifySeal(serviceSubject(backend), backend.provenance!));
        // Deployable: production's rules (provenance from staging, digests) hold for the restored pins.
        assert.equal(isRefused(evaluateStack(production, effectivePreset(production), { previous: undefined })), false);
        assert.match(p.read("Pulumi.production.yaml"), /pinstack:lastChange:\n    command: rollback\n    at: "2023-06-30T12:00:00Z"\n    by: ada@example.org\n    reason: 500s after 2023\.06\.2 \(#940\)\n    update: 1\n/);
    });

    describe("init containers and sidecars are part of the pin rolled back", () => {
        const PROXY = "ghcr.io/example/proxy";
        const proxy = (tag: string) => ({ name: "proxy", image: PROXY, tag, digest: digest(tag === "2.0.1" ? "1" : "2") });
        /** Edits backend's entry in production's file as `pinstack promote` would leave it: the seal covers what is written. */
        const setBackend = (edit: (entry: Record<string, unknown>) => void, seal = true) => {
            const doc = YAML.parseDocument(p.read("Pulumi.production.yaml"));
            const entry = (doc.getIn(["config", "pinstack:services", "backend"]) as YAML.YAMLMap).toJSON() as Record<string, unknown>;
            edit(entry);
            if (seal) {
                const { seal: _old, ...provenance } = entry.provenance as Record<string, string>;
                entry.provenance = sealProvenance(serviceSubject({ name: "backend", ...(entry as unknown as { image: string }) }), provenance as never);
            }
            doc.setIn(["config", "pinstack:services", "backend"], entry);
            p.write("Pulumi.production.yaml", doc.toString({ defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "PLAIN" })); // as pinstack writes it: Pulumi reads an unquoted time as a time
        };
        const backendNow = () => loadStack(p.dir, "production").services.find((s) => s.name === "backend")!;

        it("a sidecar changed since the last good update is restored as it ran, and the new seal covers it", () => {
            setBackend((e) => (e.sidecars = [proxy("2.0.1")]));
            updates = [updateOf(p.dir, "production", 3, 30), ...updates];
            setBackend((e) => (e.sidecars = [proxy("2.0.2")]));
            updates = [updateOf(p.dir, "production", 4, 10), ...updates];
            const plan = planRollback({ stack: "production", reason: "proxy 2.0.2 drops requests" }, env());
            assert.equal(plan.update.version, 3, "the newest good update with other pins, though only a sidecar differs");
            assert.deepEqual(plan.moves.map((m) => m.name), ["backend"]);
            applyChanges([plan.edit]);
            const backend = backendNow();
            assert.deepEqual(backend.sidecars, [proxy("2.0.1")]);
            assert.deepEqual([backend.provenance?.rollback, backend.provenance?.from], [true, "staging"]);
            assert.ok(verifySeal(serviceSubject(backend), backend.provenance!), "the seal covers the restored sidecar");
            assert.equal(verifySeal(serviceSubject({ ...backend, sidecars: [proxy("2.0.2")] }), backend.provenance!), false);
        });

        it("a restored pin whose seal does not verify at all comes back as from this stack, which production's rule reports", () => {
            setBackend((e) => {
                e.sidecars = [proxy("2.0.1")];
                e.provenance = { ...(e.provenance as object), reason: "edited by hand" };
            }, false);
            updates = [updateOf(p.dir, "production", 3, 30), ...updates];
            setBackend((e) => (e.sidecars = [proxy("2.0.2")]));
            updates = [updateOf(p.dir, "production", 4, 10), ...updates];
            const plan = planRollback({ stack: "production", to: 3, reason: "r" }, env());
            applyChanges([plan.edit]);
            assert.equal(backendNow().provenance?.from, "production");
            assert.ok(plan.warnings.some((w) => w.rule === "provenance" && w.subject === "backend" && /promoted from 'production', not from 'staging'/.test(w.message)), JSON.stringify(plan.warnings));
        });

        it("the move names the sidecar it restores (the summary promote and rollback print)", () => {
            setBackend((e) => (e.sidecars = [proxy("2.0.1")]));
            updates = [updateOf(p.dir, "production", 3, 30), ...updates];
            setBackend((e) => (e.sidecars = [proxy("2.0.2")]));
            const plan = planRollback({ stack: "production", reason: "proxy 2.0.2 drops requests" }, env());
            assert.deepEqual(plan.moves.find((m) => m.name === "backend")?.containers, ["sidecar proxy: 2.0.2@sha256:222222222222 → 2.0.1@sha256:111111111111"]);
        });

        it("a sidecar the update did not run is removed", () => {
            setBackend((e) => (e.sidecars = [proxy("2.0.1")]));
            updates = [updateOf(p.dir, "production", 3, 10), ...updates];
            const plan = planRollback({ stack: "production", to: 2, reason: "r" }, env());
            applyChanges([plan.edit]);
            assert.equal(backendNow().sidecars, undefined);
        });

        it("a pin sealed before seals covered containers keeps its origin (from staging) when restored", () => {
            // Update 3 ran backend with a sidecar under a seal that covers its image only (an older pinstack).
            setBackend((e) => {
                const { seal: _old, ...provenance } = e.provenance as Record<string, string>;
                e.provenance = sealProvenance(serviceSubject({ name: "backend", image: String(e.image), tag: String(e.tag), digest: String(e.digest) }), provenance as never);
                e.sidecars = [proxy("2.0.1")];
            }, false);
            updates = [updateOf(p.dir, "production", 3, 30), ...updates];
            setBackend((e) => (e.sidecars = [proxy("2.0.2")]));
            updates = [updateOf(p.dir, "production", 4, 10), ...updates];
            const plan = planRollback({ stack: "production", to: 3, reason: "r" }, env());
            const [warning] = plan.warnings.filter((w) => w.subject === "backend");
            assert.match(warning?.message ?? "", /update 3 ran it under a seal written before seals covered init containers and sidecars, so nothing shows its containers \(proxy\) were promoted/);
            applyChanges([plan.edit]);
            const backend = backendNow();
            assert.equal(backend.provenance?.from, "staging");
            assert.ok(verifySeal(serviceSubject(backend), backend.provenance!), "re-sealed over the sidecar it restored");
        });
    });

    it("blue-green: when the idle colour still runs the pin, it switches back (pins swapped, colour flipped)", () => {
        const before = loadStack(p.dir, "production").services.find((s) => s.name === "frontend")!;
        assert.deepEqual([before.tag, before.activeColor, before.previous?.tag], ["2023.05.4", "green", "2023.04.3"]);
        applyChanges([planRollback({ stack: "production", reason: "r" }, env()).edit]);
        const after = loadStack(p.dir, "production").services.find((s) => s.name === "frontend")!;
        assert.deepEqual([after.tag, after.digest, after.activeColor, after.previous], ["2023.04.3", digest("9"), "blue", { tag: "2023.05.4", digest: digest("f") }]);
    });

    it("--to N restores that update; unknown N is bad input (exit 2), a failed one is refused (exit 1)", () => {
        updates = [updateOf(p.dir, "production", 3, 30, "failed"), ...updates];
        const plan = planRollback({ stack: "production", to: 1, reason: "r" }, env());
        assert.equal(plan.update.version, 1);
        assert.throws(() => planRollback({ stack: "production", to: 9, reason: "r" }, env()), (e: unknown) => e instanceof PinstackError && e.exitCode === 2 && /has no update 9/.test(e.message) && /1\.\.3/.test(e.why ?? ""));
        assert.throws(() => planRollback({ stack: "production", to: 3, reason: "r" }, env()), (e: unknown) => e instanceof PinstackError && e.exitCode === 1 && /failed update/.test(e.message));
    });

    it("is allowed while the stack is on hold", () => {
        applyChanges([planHold({ stack: "production", clear: false, reason: "freeze" }, env()).edit]);
        assert.equal(loadStack(p.dir, "production").hold, true);
        const plan = planRollback({ stack: "production", reason: "r" }, env());
        applyChanges([plan.edit]);
        assert.equal(loadStack(p.dir, "production").services[0].tag, "2023.04.2");
    });

    it("refuses (exit 1) when no earlier successful update has other pins", () => {
        updates = [updateOf(p.dir, "production", 1, 60)];
        assert.throws(() => planRollback({ stack: "production", reason: "r" }, env()), (e: unknown) => e instanceof PinstackError && e.exitCode === 1 && /no earlier successful update/.test(e.message));
    });

    it("a promotion is refused while on hold; hold --clear lifts it with its reason recorded", async () => {
        applyChanges([planRollback({ stack: "production", reason: "r" }, env()).edit]);
        await assert.rejects(
            planPromotion({ from: "staging", to: "production", reason: "again", allowUndeployed: true }, environment(p.dir, {}), registry),
            (e: unknown) => e instanceof PinstackError && e.exitCode === 1 && /on hold/.test(e.message),
        );
        const clear = planHold({ stack: "production", clear: true, reason: "incident 940 closed" }, env());
        assert.ok(clear.edit);
        writeFileAtomically(clear.edit!);
        const production = loadStack(p.dir, "production");
        assert.deepEqual([production.hold, production.holdReason], [false, undefined]);
        assert.match(p.read("Pulumi.production.yaml"), /pinstack:hold: false\n/);
        assert.match(p.read("Pulumi.production.yaml"), /command: hold-clear\n[\s\S]*reason: incident 940 closed\n/);
        const plan = await planPromotion({ from: "staging", to: "production", reason: "again", allowUndeployed: true }, environment(p.dir, {}), registry);
        assert.ok(plan.moves.length > 0);
    });

    it("hold is idempotent: setting a held stack or clearing a free one writes nothing", () => {
        assert.equal(planHold({ stack: "production", clear: true, reason: "r" }, env()).edit, undefined);
        writeFileAtomically(planHold({ stack: "production", clear: false, reason: "freeze" }, env()).edit!);
        const again = planHold({ stack: "production", clear: false, reason: "other" }, env());
        assert.equal(again.edit, undefined);
        assert.equal(again.previousReason, "freeze");
        assert.throws(() => planHold({ stack: "nope", clear: false, reason: "r" }, env()), (e: unknown) => e instanceof PinstackError && e.exitCode === 2);
    });
});
