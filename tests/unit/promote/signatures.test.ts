import { strict as assert } from "assert";
import { loadStack } from "../../../lib/config";
import { refused, PinstackError } from "../../../lib/errors";
import { applyChanges, planPromotion, planRollback, SignatureVerifier } from "../../../lib/promote";
import { readStackFile } from "../../../lib/config";
import type { StackUpdate } from "../../../lib/pulumi-cli";
import { loadTrust, pinnedImages, recordedSignatureProblems } from "../../../lib/signing";
import type { SignatureVerdict, Trust } from "../../../lib/signing";
import { keyPair } from "../../support/signatures";
import { BACKEND, digest, environment, fakeRegistry, FRONTEND, history, NOW, productionYaml, project, stagingPins, stagingYaml } from "./support/project";

/**
 * The signature step of promote, with a verifier standing in for the registry (the real one
 * is tests/unit/lib/signing and tests/cli/signatures): which images are asked about, what a
 * mandatory and an advisory stack do with a failure, and what is recorded.
 */
const soaked = () => history([{ minutesAgo: 120, services: stagingPins(), packages: { "ukrdc-services": { version: "10.8.5", channel: "staging" } } }], NOW);
const registry = () => fakeRegistry({ [`${BACKEND}:2023.05.1`]: digest("a"), [`${FRONTEND}:2023.05.4`]: digest("f") });
const key = keyPair();
const signing = (extra = "") => `  pinstack:signing:\n    keys:\n      - id: ci\n        publicKey: |\n${key.publicPem.trimEnd().split("\n").map((l) => `          ${l}`).join("\n")}\n${extra}`;

/** Signs what `signed` lists (image@digest), refuses the rest as unsigned; records what it was asked. */
function verifier(signed: readonly string[]): SignatureVerifier & { asked: string[] } {
    const asked: string[] = [];
    const verify = (async (image: string, d: string, trust: Trust): Promise<SignatureVerdict> => {
        asked.push(`${image}@${d}`);
        if (!signed.includes(`${image}@${d}`)) return { ok: false, failure: "unsigned", message: `${image}@${d} has no signature` };
        const k = trust.keys[0];
        return { ok: true, record: { image, digest: d, key: k.id, keyDigest: k.keyDigest } };
    }) as unknown as SignatureVerifier & { asked: string[] };
    verify.asked = asked;
    return verify;
}

describe("promote: signatures", () => {
    let p: ReturnType<typeof project>;
    afterEach(() => p?.remove());
    const plan = (v: SignatureVerifier, services = ["backend"]) => planPromotion({ from: "staging", to: "production", services, reason: "release" }, environment(p.dir, { staging: soaked() }), registry(), v);

    it("asks about every image the promoted pin will run, the target's own sidecar included, and records each", async () => {
        const production = productionYaml().replace("      commit: 0a1b2c3d4e5f\n", `      commit: 0a1b2c3d4e5f\n      sidecars:\n        - name: proxy\n          image: ghcr.io/example/proxy\n          tag: 1.0.0\n          digest: ${digest("c")}\n`);
        p = project({ "Pulumi.staging.yaml": stagingYaml(), "Pulumi.production.yaml": production + signing() });
        const v = verifier([`${BACKEND}@${digest("a")}`, `ghcr.io/example/proxy@${digest("c")}`]);
        const result = await plan(v);
        assert.deepEqual(v.asked, [`${BACKEND}@${digest("a")}`, `ghcr.io/example/proxy@${digest("c")}`]);
        assert.deepEqual(result.moves[0].provenance.signatures?.map((s) => `${s.image}@${s.digest} ${s.key}`), [`${BACKEND}@${digest("a")} ci`, `ghcr.io/example/proxy@${digest("c")} ci`]);
        applyChanges([result.stackEdit, result.ledgerChange]);
        assert.equal(loadStack(p.dir, "production").services.find((s) => s.name === "backend")!.provenance!.signatures!.length, 2);
    });

    it("refuses on a mandatory stack when one image is unsigned, listing every failure", async () => {
        p = project({ "Pulumi.staging.yaml": stagingYaml(), "Pulumi.production.yaml": productionYaml() + signing() });
        await assert.rejects(plan(verifier([]), ["backend", "frontend"]), (e: unknown) => {
            const err = e as PinstackError;
            return err.exitCode === 1 && /and 2 are not: service backend: .* has no signature/.test(err.message) && /service frontend: .* has no signature/.test(err.why ?? "");
        });
    });

    it("an advisory stack promotes, warns about the unsigned image, and records only the signed one", async () => {
        // The stack file may lower the rule only where its floor, the reviewed pack config, does.
        const packConfig = { "signed-images": { enforcementLevel: "advisory", preset: "production" }, "registry-allowed": { enforcementLevel: "mandatory", preset: "production", registries: ["ghcr.io/example"] } };
        const advisory = productionYaml().replace("  pinstack:preset:\n", "  pinstack:preset:\n    levels:\n      signed-images: advisory\n");
        p = project({ "Pulumi.staging.yaml": stagingYaml(), "Pulumi.production.yaml": advisory + signing(), "policies/config.production.json": JSON.stringify(packConfig) });
        const result = await plan(verifier([`${BACKEND}@${digest("a")}`]), ["backend", "frontend"]);
        const byName = new Map(result.moves.map((m) => [m.name, m]));
        assert.equal(byName.get("backend")!.provenance.signatures?.length, 1);
        assert.equal(byName.get("frontend")!.provenance.signatures, undefined);
        const warnings = result.warnings.filter((w) => w.rule === "signed-images");
        assert.deepEqual(warnings.map((w) => [w.level, w.subject]), [["advisory", "frontend"]], JSON.stringify(warnings));
        assert.match(warnings[0].message, /has no signature/);
    });

    it("a registry that cannot be asked refuses on a mandatory stack (the image is not verified)", async () => {
        p = project({ "Pulumi.staging.yaml": stagingYaml(), "Pulumi.production.yaml": productionYaml() + signing() });
        const down: SignatureVerifier = async () => {
            throw refused("cannot reach the registry ghcr.io for ghcr.io/example/backend:sha256-aaaa.sig (ECONNREFUSED)");
        };
        await assert.rejects(plan(down), (e: unknown) => e instanceof PinstackError && e.exitCode === 1 && /service backend: signature not checked: cannot reach the registry/.test(e.message));
    });

    it("re-verifies a pin whose artifact is unchanged but has no signature record, once the stack trusts keys", async () => {
        p = project({ "Pulumi.staging.yaml": stagingYaml(), "Pulumi.production.yaml": productionYaml() });
        const first = await plan(verifier([]));
        applyChanges([first.stackEdit, first.ledgerChange]);
        assert.equal(first.moves[0].provenance.signatures, undefined, "no keys: not checked");
        p.write("Pulumi.production.yaml", p.read("Pulumi.production.yaml") + signing());
        const again = await plan(verifier([`${BACKEND}@${digest("a")}`]));
        assert.equal(again.moves.length, 1, "the pin is promoted again for its signature");
        assert.equal(again.moves[0].provenance.signatures?.[0].key, "ci");
    });

    it("a rollback carries the restored pin's records, dated when promote verified them", async () => {
        p = project({ "Pulumi.staging.yaml": stagingYaml(), "Pulumi.production.yaml": productionYaml() + signing() });
        const updateOf = (version: number, minutesAgo: number): StackUpdate => {
            const raw = JSON.parse(JSON.stringify(readStackFile(`${p.dir}/Pulumi.production.yaml`).raw)) as Record<string, unknown>;
            const config = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, typeof v === "object" ? { value: JSON.stringify(v), objectValue: v, secret: false } : { value: String(v), secret: false }]));
            const start = new Date(NOW.getTime() - minutesAgo * 60_000);
            return { version, kind: "update", result: "succeeded", startTime: start.toISOString(), endTime: new Date(start.getTime() + 60_000).toISOString(), message: "", environment: {}, config };
        };
        const first = await plan(verifier([`${BACKEND}@${digest("a")}`]));
        applyChanges([first.stackEdit, first.ledgerChange]);
        const updates = [updateOf(1, 90)];
        p.write("Pulumi.staging.yaml", stagingYaml({ backendTag: "2023.05.2", backendDigest: digest("b") }));
        const second = await planPromotion({ from: "staging", to: "production", services: ["backend"], reason: "next", allowUndeployed: true }, environment(p.dir, {}), fakeRegistry({ [`${BACKEND}:2023.05.2`]: digest("b") }), verifier([`${BACKEND}@${digest("b")}`]));
        applyChanges([second.stackEdit, second.ledgerChange]);
        updates.unshift(updateOf(2, 30));
        const later = new Date(NOW.getTime() + 86_400_000);
        const rollback = planRollback({ stack: "production", reason: "incident" }, environment(p.dir, { production: updates }, later));
        applyChanges([rollback.edit]);
        const backend = loadStack(p.dir, "production").services.find((s) => s.name === "backend")!;
        assert.equal(backend.digest, digest("a"));
        assert.deepEqual(backend.provenance!.signatures!.map((s) => [s.digest, s.key, s.verifiedAt]), [[digest("a"), "ci", "2023-06-30T12:00:00Z"]]);
        // Judged by when it was verified: a key whose validity ended after that still covers it.
        const production = loadStack(p.dir, "production");
        const trust = loadTrust({ ...production.signing!, keys: production.signing!.keys.map((k) => ({ ...k, notAfter: "2023-07-01T00:00:00Z" })) }, p.dir, "test");
        assert.deepEqual(recordedSignatureProblems(pinnedImages(backend), backend.provenance, trust), []);
    });
});
