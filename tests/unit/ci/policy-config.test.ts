import Ajv from "ajv";
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { deployedFacts, earlierPinsFromHistory, parsePolicyConfig, withDeployedFacts } from "../../../lib/ci";
import { PinstackError } from "../../../lib/errors";
import { earlierPinsFromJson } from "../../../lib/rules";
// The policy module, never the pack: policies/index.ts starts a server.
import { hold } from "../../../policies/hold";

const REF = `ghcr.io/pinstack-example/backend:2023.04.2@sha256:${"4c1b".repeat(16)}`;

/** What `pulumi stack output --json` prints for this program (index.ts: hold, holdReason, pins). */
function outputs(hold: unknown, reason = "") {
    return JSON.stringify({
        hold,
        holdReason: reason,
        pins: {
            services: {
                backend: { image: "ghcr.io/pinstack-example/backend", tag: "2023.04.2", reference: REF, version: "2023.04.2", strategy: "in-place" },
                frontend: { image: "ghcr.io/pinstack-example/frontend", tag: "2023.04.3", reference: "ghcr.io/pinstack-example/frontend:2023.04.3", version: "2023.04.3", strategy: "blue-green" },
            },
            packages: { "ukrdc-services": { version: "10.8.4", channel: "release" } },
        },
    });
}

const badInput = (err: unknown) => err instanceof PinstackError && err.exitCode === 2;

describe("lib/ci: the policy pack config with the deployed stack's facts", () => {
    const base = { "no-mutable-tags": { enforcementLevel: "mandatory" }, hold: { enforcementLevel: "mandatory", preset: "production" } };

    it("adds the deployed hold flag, reason and per-service references to the hold policy's settings", () => {
        const merged = withDeployedFacts(base, deployedFacts(outputs(true, "incident #940"), "outputs.json"));
        assert.deepEqual(merged, {
            "no-mutable-tags": { enforcementLevel: "mandatory" },
            hold: {
                enforcementLevel: "mandatory",
                preset: "production",
                onHold: true,
                holdReason: "incident #940",
                deployed: { backend: REF, frontend: "ghcr.io/pinstack-example/frontend:2023.04.3" },
                deployedPackages: { "ukrdc-services": "10.8.4" },
            },
        });
    });

    it("a stack not on hold says so (and still passes its references)", () => {
        const merged = withDeployedFacts(base, deployedFacts(outputs(false), "outputs.json"));
        assert.equal((merged.hold as { onHold: boolean }).onHold, false);
        assert.equal((merged.hold as { holdReason?: string }).holdReason, undefined);
    });

    it("a hold output that is not a boolean (a blinded secret) counts as on hold", () => {
        assert.equal(deployedFacts(outputs("[secret]"), "o.json")?.onHold, true);
    });

    it("adds what each service's init containers and sidecars run, when any deployed service has some", () => {
        const withSidecar = JSON.parse(outputs(true));
        withSidecar.pins.services.backend.sidecars = [{ name: "proxy", image: "ghcr.io/pinstack-example/proxy", tag: "2.0.1" }];
        const merged = withDeployedFacts(base, deployedFacts(JSON.stringify(withSidecar), "outputs.json"));
        assert.deepEqual((merged.hold as Record<string, unknown>).deployedContainers, { backend: '{"sidecars":[{"name":"proxy","pin":"ghcr.io/pinstack-example/proxy:2.0.1"}]}' });
        const validate = new Ajv({ strict: false }).compile({ type: "object", ...(hold.configSchema as object) });
        assert.equal(validate({ ...(merged.hold as object) }), true, JSON.stringify(validate.errors));
    });

    it("a stack never deployed (no outputs) leaves the config as it is", () => {
        assert.equal(deployedFacts("{}", "o.json"), undefined);
        assert.equal(deployedFacts("", "o.json"), undefined);
        assert.deepEqual(withDeployedFacts(base, undefined), base);
    });

    it("adds a hold section when the config has none", () => {
        const merged = withDeployedFacts({}, deployedFacts(outputs(false), "o.json"));
        assert.deepEqual(Object.keys(merged.hold as object), ["onHold", "deployed", "deployedPackages"]);
    });

    it("adds the pins the stack's successful updates ran (hold.earlier), which the pack reads back as written", () => {
        const entry = (result: string, tag: string, version: string) => ({
            kind: "update",
            result,
            startTime: "2026-11-20T10:00:00Z",
            config: {
                "pinstack:services": { objectValue: { backend: { image: "ghcr.io/pinstack-example/backend", tag, sidecars: [{ name: "proxy", image: "ghcr.io/pinstack-example/proxy", tag: "2.0.1" }] } }, secret: false },
                "pinstack:packages": { value: JSON.stringify({ "ukrdc-services": { version } }), secret: false },
            },
        });
        const history = JSON.stringify([entry("failed", "2023.05.1", "10.9.0"), entry("succeeded", "2023.04.2", "10.8.4"), entry("succeeded", "2023.04.1", "10.8.3")]);
        const earlier = earlierPinsFromHistory(history, "history.json");
        assert.deepEqual(earlier.packages, { "ukrdc-services": ["10.8.4", "10.8.3"] });
        assert.deepEqual(earlier.services.backend.map((p) => p.tag), ["2023.04.2", "2023.04.1"]);
        const merged = withDeployedFacts(base, deployedFacts(outputs(true), "o.json"), earlier);
        const decoded = earlierPinsFromJson(JSON.parse(JSON.stringify((merged.hold as Record<string, unknown>).earlier)));
        assert.ok(decoded.ok);
        assert.deepEqual(decoded.earlier.services.get("backend")?.[0], { image: "ghcr.io/pinstack-example/backend", tag: "2023.04.2", sidecars: [{ name: "proxy", image: "ghcr.io/pinstack-example/proxy", tag: "2.0.1" }] });
        const validate = new Ajv({ strict: false }).compile({ type: "object", ...(hold.configSchema as object) });
        assert.equal(validate({ ...(merged.hold as object) }), true, JSON.stringify(validate.errors));
        assert.equal(validate({ ...(merged.hold as object), earlier: { services: { backend: ["2023.04.2"] }, packages: {} } }), false, "the schema checks the earlier pins");
    });

    it("bad input: history that is not `pulumi stack history --json` (exit 2, naming the file)", () => {
        assert.throws(() => earlierPinsFromHistory("{", "history.json"), (err: unknown) => badInput(err) && /history\.json: malformed JSON/.test((err as Error).message));
        assert.throws(() => earlierPinsFromHistory("{}", "history.json"), badInput);
        assert.throws(() => earlierPinsFromHistory("[1]", "history.json"), (err: unknown) => badInput(err) && /every entry must be an update object/.test((err as Error).message));
    });

    it("bad input: outputs or config that are not JSON objects (exit 2, naming the file)", () => {
        assert.throws(() => deployedFacts("{", "outputs.json"), (err: unknown) => badInput(err) && /outputs\.json: malformed JSON/.test((err as Error).message));
        assert.throws(() => deployedFacts("[]", "outputs.json"), badInput);
        assert.throws(() => parsePolicyConfig("[1]", "policies/config.x.json"), (err: unknown) => badInput(err) && /policies\/config\.x\.json/.test((err as Error).message));
        assert.throws(() => parsePolicyConfig("{,}", "c.json"), badInput);
    });
});

describe("lib/ci: the merged config fits the pack's hold policy (policies/hold.ts)", () => {
    for (const stack of ["playground", "staging", "production"]) {
        it(`policies/config.${stack}.json + the deployed facts validates against the hold policy's configSchema`, () => {
            const file = path.resolve(__dirname, `../../../policies/config.${stack}.json`);
            const merged = withDeployedFacts(parsePolicyConfig(fs.readFileSync(file, "utf8"), file), deployedFacts(outputs(true, "incident"), "o.json"));
            const validate = new Ajv({ strict: false }).compile({ type: "object", ...hold.configSchema });
            assert.ok(validate(merged.hold), JSON.stringify(validate.errors));
            assert.equal(validate({ ...(merged.hold as object), deployed: { backend: 5 } }), false, "the schema does check the deployed references");
        });
    }
});
