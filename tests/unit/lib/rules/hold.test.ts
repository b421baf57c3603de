/**
 * lib's hold rule: on hold, a stack runs what it runs now — the same services, the same
 * packages, every pin as deployed — or returns a pin to one its own successful updates ran.
 * `rollback: true` with a recomputed seal is not evidence of that.
 */
import { strict as assert } from "assert";
import { earlierPinsOf } from "../../../../lib/history";
import type { Violation } from "../../../../lib/model";
import { packageSubject, sealProvenance, serviceSubject } from "../../../../lib/provenance";
import type { StackUpdate } from "../../../../lib/pulumi-cli";
import { earlierPinsFromJson, earlierPinsToJson, evaluateImage, evaluateStack, type EarlierPins } from "../../../../lib/rules";
import { presets } from "../../../../stacks";
import { DIGEST, goodProduction, OTHER_DIGEST, promotedPackage, promotedService } from "./fixtures";

const IMAGE = "ghcr.io/example/backend";
const STAGING_DIGEST = `sha256:${"5a5a".repeat(16)}`;
const PROXY = "ghcr.io/example/proxy";

/** A successful (or not) `pulumi up` as `pulumi stack history --json` records it: the config it ran with. */
function update(version: number, services: Record<string, unknown>, packages: Record<string, unknown>, result = "succeeded"): StackUpdate {
    return {
        version,
        kind: "update",
        result,
        startTime: `2026-11-${10 + version}T10:00:00Z`,
        message: "",
        environment: {},
        config: {
            "pinstack:services": { value: JSON.stringify(services), objectValue: services, secret: false },
            "pinstack:packages": { value: JSON.stringify(packages), objectValue: packages, secret: false },
        },
    };
}

const older = { image: IMAGE, tag: "2023.04.2", digest: OTHER_DIGEST, scheme: "calver" };
const current = { image: IMAGE, tag: "2023.05.1", digest: DIGEST, scheme: "calver" };
/** Production ran 2023.04.2 with ukrdc-services 10.8.4 (update 1), then 2023.05.1 with 10.8.5 (update 2, running now). */
const history: StackUpdate[] = [
    update(3, { backend: { image: IMAGE, tag: "2023.06.1", digest: STAGING_DIGEST } }, { "ukrdc-services": { version: "10.9.0" } }, "failed"),
    update(2, { backend: current }, { "ukrdc-services": { version: "10.8.5" } }),
    update(1, { backend: older }, { "ukrdc-services": { version: "10.8.4" } }),
];
const earlier = earlierPinsOf(history);
const deployed = goodProduction();

/** The hold findings against the deployed config, with the stack's earlier pins (`null`: no history given). */
const holdFindings = (config: ReturnType<typeof goodProduction>, ran: EarlierPins | null = earlier): Violation[] =>
    evaluateStack(config, undefined, { previous: deployed, earlier: ran ?? undefined }).filter((v) => v.rule === "hold");

/** A service entry as `pinstack rollback` writes it — or as anyone can by hand: rollback provenance, seal recomputed over the pin. */
function rollbackSealed(pin: { image: string; tag?: string; digest?: string; scheme?: string; sidecars?: { name: string; image: string; tag?: string }[] }) {
    const provenance = sealProvenance(serviceSubject({ name: "backend", ...pin }), { from: "staging", at: "2026-12-07T23:00:00Z", by: "ops@example.org", reason: "incident", rollback: true });
    return { ...pin, provenance };
}

const held = (overrides: Record<string, unknown>) => goodProduction({ "pinstack:hold": true, "pinstack:holdReason": "incident 42", ...overrides });

describe("rule hold: on hold, only a return to pins the stack ran before", () => {
    it("passes the held stack unchanged, with or without history", () => {
        assert.deepEqual(holdFindings(held({})), []);
        assert.deepEqual(holdFindings(held({}), null), []);
    });

    it("refuses a removed service (a Deployment deleted during the incident)", () => {
        const found = holdFindings(held({ "pinstack:services": {} }));
        assert.deepEqual(found.map((v) => [v.subject, v.level]), [["backend", "mandatory"]]);
        assert.match(found[0].message, /^service backend removed: it runs ghcr\.io\/example\/backend:2023\.05\.1@sha256:4c1b4c1b4c1b now/);
        assert.match(found[0].message, /production is on hold \(incident 42\): only rollbacks pass/);
    });

    it("refuses a package moved to a version the stack never ran", () => {
        const found = holdFindings(held({ "pinstack:packages": { "ukrdc-services": promotedPackage("ukrdc-services", "10.8.6") } }));
        assert.deepEqual(found.map((v) => v.subject), ["ukrdc-services"]);
        assert.match(found[0].message, /^package ukrdc-services moved from the deployed 10\.8\.5 to 10\.8\.6, and the stack's update history has no successful update that ran it/);
        assert.equal(found[0].location?.key, "pinstack:packages.ukrdc-services.version");
    });

    it("refuses a package removed, and one added", () => {
        assert.match(holdFindings(held({ "pinstack:packages": {} }))[0]?.message ?? "", /^package ukrdc-services removed: 10\.8\.5 is deployed now/);
        const added = held({ "pinstack:packages": { "ukrdc-services": promotedPackage("ukrdc-services", "10.8.5"), "ukrdc-tools": promotedPackage("ukrdc-tools", "1.0.0") } });
        assert.deepEqual(holdFindings(added).map((v) => [v.subject, v.message.split(",")[0]]), [["ukrdc-tools", "package ukrdc-tools added (not deployed now) to 1.0.0"]]);
    });

    it("refuses a package pin only a failed update ran: failed updates are no evidence", () => {
        const found = holdFindings(held({ "pinstack:packages": { "ukrdc-services": promotedPackage("ukrdc-services", "10.9.0") } }));
        assert.equal(found.length, 1);
    });

    it("refuses a pin moved to staging's with rollback: true and a recomputed seal", () => {
        const forged = held({ "pinstack:services": { backend: rollbackSealed({ image: IMAGE, tag: "2023.06.1", digest: STAGING_DIGEST, scheme: "calver" }) } });
        const found = holdFindings(forged);
        assert.deepEqual(found.map((v) => v.subject), ["backend"]);
        assert.match(found[0].message, /moved from the deployed .*2023\.05\.1@sha256:4c1b4c1b4c1b to .*2023\.06\.1@sha256:5a5a5a5a5a5a, and the stack's update history has no successful update that ran it/);
        // The same for a package: its sealed rollback provenance is not evidence either.
        const pkg = { version: "10.8.6", channel: "release", provenance: sealProvenance(packageSubject({ name: "ukrdc-services", version: "10.8.6" }), { from: "staging", at: "2026-12-07T23:00:00Z", by: "ops", reason: "incident", rollback: true }) };
        assert.equal(holdFindings(held({ "pinstack:packages": { "ukrdc-services": pkg } })).length, 1);
    });

    it("passes a return to an earlier deployed state, as rollback writes it or by hand", () => {
        const rolledBack = held({
            "pinstack:services": { backend: rollbackSealed(older) },
            "pinstack:packages": { "ukrdc-services": promotedPackage("ukrdc-services", "10.8.4") },
        });
        assert.deepEqual(holdFindings(rolledBack), []);
        assert.deepEqual(holdFindings(held({ "pinstack:services": { backend: promotedService("backend", older) } })), []);
    });

    it("without the stack's history, refuses every moved pin, a true rollback too (fail closed)", () => {
        const found = holdFindings(held({ "pinstack:services": { backend: rollbackSealed(older) } }), null);
        assert.equal(found.length, 1);
        assert.match(found[0].message, /no update history was given \(the output of `pulumi stack history --json`\)/);
    });

    it("a pin's sidecars are part of it: a sidecar the stack never ran is refused, one it ran passes", () => {
        const withProxy = (tag: string) => ({ ...older, sidecars: [{ name: "proxy", image: PROXY, tag }] });
        const ran = earlierPinsOf([update(1, { backend: withProxy("2.0.1") }, {})]);
        assert.deepEqual(holdFindings(held({ "pinstack:services": { backend: rollbackSealed(withProxy("2.0.1")) } }), ran), []);
        const found = holdFindings(held({ "pinstack:services": { backend: rollbackSealed(withProxy("2.0.2")) } }), ran);
        assert.equal(found.length, 1);
    });

    it("judges a change that clears pinstack:hold against the deployed hold", () => {
        const cleared = goodProduction({ "pinstack:services": { backend: promotedService("backend", { ...current, tag: "2023.06.1", digest: STAGING_DIGEST }) } });
        const found = evaluateStack(cleared, undefined, { previous: held({}), earlier }).filter((v) => v.rule === "hold");
        assert.equal(found.length, 1);
    });

    it("says nothing when neither side is on hold, or without a previous config", () => {
        assert.deepEqual(holdFindings(goodProduction({ "pinstack:services": {} })), []);
        assert.deepEqual(evaluateStack(held({}), undefined, {}).filter((v) => v.rule === "hold"), []);
    });

    it("refuses any image for a held stack in verify-image, unless it is a rollback", () => {
        const result = evaluateImage({ reference: `x:2023.05.1@${DIGEST}`, stack: "production", preset: presets.production, hold: true, holdReason: "incident" });
        assert.deepEqual(result.violations.map((v) => v.rule), ["hold"]);
        assert.deepEqual(evaluateImage({ reference: `x:2023.05.1@${DIGEST}`, stack: "production", preset: presets.production, hold: true, rollback: true }).violations, []);
    });
});

describe("hold's earlier pins: the pack config's JSON form (hold.earlier)", () => {
    it("round-trips what earlierPinsOf reads from history, containers included", () => {
        const ran = earlierPinsOf([...history, update(0, { backend: { ...older, initContainers: [{ name: "migrate", image: IMAGE, tag: "2023.04.2" }] } }, {})]);
        const decoded = earlierPinsFromJson(JSON.parse(JSON.stringify(earlierPinsToJson(ran))));
        assert.ok(decoded.ok);
        assert.deepEqual(decoded.earlier, ran);
        assert.deepEqual(decoded.earlier.packages.get("ukrdc-services"), ["10.8.5", "10.8.4"]);
        assert.equal(decoded.earlier.services.get("backend")?.length, 3, "each pin once; the failed update's is not there");
    });

    it("refuses anything else, naming where", () => {
        assert.deepEqual(earlierPinsFromJson([]), { ok: false, why: "is not an object with `services` and `packages` objects" });
        const bad = earlierPinsFromJson({ services: { backend: [{ tag: "1" }] }, packages: {} });
        assert.ok(!bad.ok && /services\.backend/.test(bad.why));
        const badPackage = earlierPinsFromJson({ services: {}, packages: { x: [1] } });
        assert.ok(!badPackage.ok && /packages\.x/.test(badPackage.why));
    });
});
