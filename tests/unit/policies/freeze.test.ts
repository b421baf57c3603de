/**
 * The hold policy under a freeze: when CI says the stack is frozen (`hold.freeze`, from
 * `pinstack ci policy-config`), the stack runs what it runs now or returns to pins it ran,
 * like a hold — except the pins promoted with --break-glass through that freeze.
 */
import * as assert from "assert";
import { requirementsFiles } from "../../../lib/contract";
import type { PackagePin } from "../../../lib/model";
import { pinReference } from "../../../lib/pin";
import { hold } from "../../../policies/hold";
import { backendPin, configMap, deployment, digestOf, frontendPin, Pin, rolledBack, stackResource } from "./fixtures";
import { assertHasStackViolation, assertNoStackViolations, configFromFile, stackArgs, StackResourceInput } from "./helpers";

const at = { file: "Pulumi.production.yaml", line: 1, column: 1, key: "pinstack:packages" };
const requirements = (...pins: [string, string][]) =>
    configMap("pinstack-packages", requirementsFiles(pins.map(([name, version]): PackagePin => ({ name, version, channel: "release", location: at })), { release: "https://pypi.example/simple/" }));

const deployedBackend: Pin = { ...backendPin, tag: "2023.07.1", digest: digestOf("7") };
const stagingBackend: Pin = { ...backendPin, tag: "2023.08.1", digest: digestOf("8") };
const artifact = (pin: Pin) => ({ image: pin.image, tag: pin.tag, digest: pin.digest });
const weekend = { name: "Fri 16:00 - Mon 08:00 Europe/London", until: "2026-12-14T08:00:00Z", breakGlass: [] as string[] };

/** Not on hold; production ran backendPin, then deployedBackend (now). */
const ciFacts = {
    onHold: false,
    deployed: { backend: pinReference(deployedBackend), frontend: pinReference(frontendPin) },
    deployedPackages: { "ukrdc-services": "10.8.5" },
    earlier: { services: { backend: [artifact(deployedBackend), artifact(backendPin)], frontend: [artifact(frontendPin)] }, packages: { "ukrdc-services": ["10.8.5", "10.8.4"] } },
};
const production = (resources: StackResourceInput[], extra: Record<string, unknown>) => stackArgs(resources, { ...configFromFile("production", "hold"), ...ciFacts, ...extra });
const program = stackResource({ hold: false, holdReason: "", environment: "production" });
const promoting = (backend: Pin, version = "10.8.5") => [program, deployment({ pin: backend }), deployment({ pin: frontendPin }), requirements(["ukrdc-services", version])];

describe("policies: hold under a freeze", () => {
    it("refuses a promoted pin while CI says the stack is frozen, naming the window and its end", async () => {
        const violations = await assertHasStackViolation(hold, production(promoting(stagingBackend), { freeze: weekend }), /service backend cannot be deployed now: production is frozen: Fri 16:00 - Mon 08:00 Europe\/London, until 2026-12-14T08:00:00Z: only rollbacks pass/, /no successful update that ran it/);
        assert.strictEqual(violations.length, 1);
        await assertHasStackViolation(hold, production(promoting(deployedBackend, "10.8.6"), { freeze: weekend }), /^package ukrdc-services moved .* production is frozen/);
    });

    it("names who set an ad-hoc freeze and why", async () => {
        await assertHasStackViolation(hold, production(promoting(stagingBackend), { freeze: { name: "ad-hoc freeze", by: "oncall@example.org", reason: "incident #951", breakGlass: [] } }), /production is frozen: ad-hoc freeze set by oncall@example\.org \(incident #951\), until it is cleared/);
    });

    it("passes the same change without a freeze, an unchanged stack and a rollback inside one", async () => {
        await assertNoStackViolations(hold, production(promoting(stagingBackend), {}));
        await assertNoStackViolations(hold, production(promoting(deployedBackend), { freeze: weekend }));
        await assertNoStackViolations(hold, production([program, deployment({ provenance: rolledBack(backendPin) }), deployment({ pin: frontendPin }), requirements(["ukrdc-services", "10.8.4"])], { freeze: weekend }));
    });

    it("passes the pins CI names as promoted with --break-glass through the freeze, and only those", async () => {
        await assertNoStackViolations(hold, production(promoting(stagingBackend), { freeze: { ...weekend, breakGlass: ["backend"] } }));
        await assertHasStackViolation(hold, production(promoting(stagingBackend, "10.8.6"), { freeze: { ...weekend, breakGlass: ["backend"] } }), /^package ukrdc-services moved/);
    });

    it("a hold still speaks for itself inside a freeze: break-glass does not lift a hold", async () => {
        await assertHasStackViolation(hold, production(promoting(stagingBackend), { onHold: true, holdReason: "incident 42", freeze: { ...weekend, breakGlass: ["backend"] } }), /production is on hold \(incident 42\)/);
    });
});
