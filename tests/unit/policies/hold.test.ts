/**
 * The hold stack policy: while production is on hold (from CI's config, taken from the deployed
 * stack, or from the program's `hold` output), the stack runs what CI says it runs now — the same
 * services, the same packages, the same pins — or pins its own successful updates ran before
 * (CI's `hold.earlier`). A sealed `rollback: true` is no evidence.
 */
import * as assert from "assert";
import { requirementsFiles } from "../../../lib/contract";
import type { PackagePin } from "../../../lib/model";
import { pinReference } from "../../../lib/pin";
import { hold } from "../../../policies/hold";
import { backendPin, blueGreen, configMap, deployment, digestOf, frontendPin, Pin, promoted, rolledBack, stackResource, workload } from "./fixtures";
import { assertHasStackViolation, assertNoStackViolations, configFromFile, runStackPolicy, stackArgs, StackResourceInput, unknownBooleanValue, unknownStringValue } from "./helpers";

const at = { file: "Pulumi.production.yaml", line: 1, column: 1, key: "pinstack:packages" };
/** The ConfigMap PackageRequirements renders for these pins. */
const requirements = (...pins: [string, string][]) =>
    configMap("pinstack-packages", requirementsFiles(pins.map(([name, version]): PackagePin => ({ name, version, channel: "release", location: at })), { release: "https://pypi.example/simple/" }));

/** The release that caused the incident: deployed now. */
const badBackend: Pin = { ...backendPin, tag: "2023.07.1", digest: digestOf("7") };
/** What staging runs: production never ran it. */
const stagingBackend: Pin = { ...backendPin, tag: "2023.08.1", digest: digestOf("8") };
const artifact = (pin: Pin) => ({ image: pin.image, tag: pin.tag, digest: pin.digest, ...(pin.sidecars ? { sidecars: pin.sidecars } : {}) });

/** What `pinstack ci policy-config --outputs … --history …` adds: production ran backendPin, then badBackend (now), frontendPin throughout; ukrdc-services 10.8.4, then 10.8.5. */
const ciFacts = {
    onHold: true,
    holdReason: "incident 42",
    deployed: { backend: pinReference(badBackend), frontend: pinReference(frontendPin) },
    deployedPackages: { "ukrdc-services": "10.8.5" },
    earlier: { services: { backend: [artifact(badBackend), artifact(backendPin)], frontend: [artifact(frontendPin)] }, packages: { "ukrdc-services": ["10.8.5", "10.8.4"] } },
};
const production = (resources: StackResourceInput[], extra: Record<string, unknown> = ciFacts) => stackArgs(resources, { ...configFromFile("production", "hold"), ...extra });
const heldProgram = stackResource({ hold: true, holdReason: "incident 42", environment: "production" });
const freeProgram = stackResource({ hold: false, holdReason: "", environment: "production" });
/** The stack as deployed now. */
const asDeployed = () => [heldProgram, deployment({ pin: badBackend }), deployment({ pin: frontendPin }), requirements(["ukrdc-services", "10.8.5"])];

describe("policies: hold", () => {
    it("passes any promoted pin while the stack is not on hold", async () => {
        await assertNoStackViolations(hold, production([freeProgram, deployment({ pin: stagingBackend })], {}));
    });

    it("passes the stack unchanged from what CI says is deployed", async () => {
        await assertNoStackViolations(hold, production(asDeployed()));
    });

    it("refuses a promotion while the program says the stack is on hold", async () => {
        const resources = [heldProgram, deployment({ pin: stagingBackend }), deployment({ pin: frontendPin }), requirements(["ukrdc-services", "10.8.5"])];
        const violations = await assertHasStackViolation(hold, production(resources, { ...ciFacts, onHold: false }), /service backend cannot be deployed now: production is on hold \(incident 42\): only rollbacks pass/, /moved from the deployed .*2023\.07\.1@sha256:777777777777 to .*2023\.08\.1@sha256:888888888888, and the stack's update history has no successful update that ran it/);
        assert.strictEqual(violations.length, 1);
    });

    it("refuses a promotion while CI says the deployed stack is on hold, even when the change clears pinstack:hold", async () => {
        const resources = [freeProgram, deployment({ pin: stagingBackend }), deployment({ pin: frontendPin }), requirements(["ukrdc-services", "10.8.5"])];
        await assertHasStackViolation(hold, production(resources), /on hold \(incident 42\)/, /no successful update that ran it/);
    });

    it("passes a rollback: pins return to ones the stack ran, unchanged ones stay (a Job of the service too)", async () => {
        const resources = [heldProgram, deployment({ provenance: rolledBack(backendPin) }), workload("Job", { provenance: rolledBack(backendPin) }), deployment({ pin: frontendPin }), requirements(["ukrdc-services", "10.8.4"])];
        await assertNoStackViolations(hold, production(resources));
    });

    it("passes a return to an earlier pin written by hand, without rollback provenance: the history is the evidence", async () => {
        const resources = [heldProgram, deployment({ pin: backendPin, provenance: promoted(backendPin) }), deployment({ pin: frontendPin }), requirements(["ukrdc-services", "10.8.5"])];
        await assertNoStackViolations(hold, production(resources));
    });

    it("refuses a pin moved to staging's with rollback: true and a recomputed seal", async () => {
        const resources = [heldProgram, deployment({ pin: stagingBackend, provenance: rolledBack(stagingBackend) }), deployment({ pin: frontendPin }), requirements(["ukrdc-services", "10.8.5"])];
        const violations = await assertHasStackViolation(hold, production(resources), /Deployment production-stack\/backend: service backend cannot be deployed now/, /2023\.08\.1@sha256:888888888888, and the stack's update history has no successful update that ran it/);
        assert.strictEqual(violations.length, 1);
    });

    it("refuses a service removed while on hold (its Deployment deleted during the incident)", async () => {
        const resources = [heldProgram, deployment({ pin: badBackend }), requirements(["ukrdc-services", "10.8.5"])];
        const violations = await assertHasStackViolation(hold, production(resources), /^service frontend removed: it runs ghcr\.io\/pinstack-example\/frontend:2023\.06\.2@sha256:bbbbbbbbbbbb now, and a removal is not a return to a pin: production is on hold/);
        assert.strictEqual(violations.length, 1);
    });

    describe("packages", () => {
        const withPackages = (...pins: [string, string][]) => [heldProgram, deployment({ pin: badBackend }), deployment({ pin: frontendPin }), ...(pins.length ? [requirements(...pins)] : [])];

        it("refuses a package moved to a version the stack never ran", async () => {
            await assertHasStackViolation(hold, production(withPackages(["ukrdc-services", "10.8.6"])), /^package ukrdc-services moved from the deployed 10\.8\.5 to 10\.8\.6, and the stack's update history has no successful update that ran it: production is on hold/);
        });

        it("refuses a package removed, and one added", async () => {
            await assertHasStackViolation(hold, production(withPackages()), /^package ukrdc-services removed: 10\.8\.5 is deployed now/);
            await assertHasStackViolation(hold, production(withPackages(["ukrdc-services", "10.8.5"], ["ukrdc-tools", "1.0.0"])), /^package ukrdc-tools added \(not deployed now\) to 1\.0\.0/);
        });

        it("refuses when CI did not pass the deployed package versions", async () => {
            const { deployedPackages: _packages, ...withoutPackages } = ciFacts;
            await assertHasStackViolation(hold, production(asDeployed(), withoutPackages), /not given the deployed package versions \(hold\.deployedPackages/);
        });
    });

    it("refuses every pin when CI did not pass the deployed pins", async () => {
        await assertHasStackViolation(hold, production(asDeployed(), { onHold: true }), /frontend .*not given the deployed pins \(hold\.deployed\)/);
    });

    it("without the earlier pins (no --history), refuses even a true rollback: nothing shows its pin ran", async () => {
        const { earlier: _earlier, ...withoutEarlier } = ciFacts;
        const resources = [heldProgram, deployment({ provenance: rolledBack(backendPin) }), deployment({ pin: frontendPin }), requirements(["ukrdc-services", "10.8.5"])];
        await assertHasStackViolation(hold, production(resources, withoutEarlier), /no update history was given \(the pack config's hold\.earlier/);
        await assertNoStackViolations(hold, production(asDeployed(), withoutEarlier));
    });

    it("refuses earlier pins it cannot read, naming them", async () => {
        await assertHasStackViolation(hold, production(asDeployed(), { ...ciFacts, earlier: { services: { backend: "2023.06.1" }, packages: {} } }), /hold\.earlier\) services\.backend is not a list of pins/);
    });

    it("refuses, on hold, a rollback pin whose pod runs a sidecar its pin does not declare", async () => {
        const resources = [heldProgram, deployment({ provenance: rolledBack(backendPin), sidecars: [{ name: "proxy", image: `ghcr.io/pinstack-example/proxy:2.0.2@${digestOf("e")}` }] })];
        await assertHasStackViolation(hold, production(resources), /on hold .*runs sidecar proxy, which its pin does not declare/);
    });

    describe("a pin's init containers and sidecars are part of it", () => {
        const proxy = (tag: string) => ({ name: "proxy", image: "ghcr.io/pinstack-example/proxy", tag });
        const withProxy = (tag: string): Pin => ({ ...backendPin, sidecars: [proxy(tag)] });
        const deployedProxy = (tag: string) => JSON.stringify({ sidecars: [{ name: "proxy", pin: `ghcr.io/pinstack-example/proxy:${tag}` }] });
        const facts = (extra: Record<string, unknown>) => ({ ...ciFacts, deployed: { backend: pinReference(backendPin) }, deployedPackages: {}, ...extra });

        it("passes a pin whose containers are the deployed ones", async () => {
            const pin = withProxy("2.0.1");
            await assertNoStackViolations(hold, production([heldProgram, deployment({ pin, provenance: promoted(pin) })], facts({ deployedContainers: { backend: deployedProxy("2.0.1") } })));
        });

        it("refuses a sidecar changed under the deployed main image, naming it", async () => {
            const pin = withProxy("2.0.2");
            await assertHasStackViolation(hold, production([heldProgram, deployment({ pin, provenance: rolledBack(pin) })], facts({ deployedContainers: { backend: deployedProxy("2.0.1") } })), /moved from the deployed .*\(sidecar proxy: 2\.0\.1 → 2\.0\.2\)/);
        });

        it("passes a sidecar returned to one the stack ran", async () => {
            const pin = withProxy("2.0.1");
            const earlier = { services: { backend: [artifact(withProxy("2.0.1"))] }, packages: {} };
            await assertNoStackViolations(hold, production([heldProgram, deployment({ pin, provenance: rolledBack(pin) })], facts({ deployedContainers: { backend: deployedProxy("2.0.2") }, earlier })));
        });

        it("refuses a sidecar added where no deployed service runs one", async () => {
            const pin = withProxy("2.0.1");
            await assertHasStackViolation(hold, production([heldProgram, deployment({ pin, provenance: promoted(pin) })], facts({})), /sidecar proxy added/);
        });
    });

    it("refuses a deployed-looking digest that differs from the deployed one", async () => {
        const resources = [heldProgram, deployment({ pin: { ...badBackend, digest: digestOf("0") } }), deployment({ pin: frontendPin }), requirements(["ukrdc-services", "10.8.5"])];
        await assertHasStackViolation(hold, production(resources), /moved from the deployed/);
    });

    it("passes a blue-green switch back: the active colour runs a pin the stack ran, the standby what was rolled back", async () => {
        const bad = { ...frontendPin, tag: "2023.07.1", digest: digestOf("7") };
        const facts = { ...ciFacts, deployed: { ...ciFacts.deployed, frontend: pinReference(bad) } };
        await assertNoStackViolations(hold, production([heldProgram, deployment({ pin: badBackend }), ...blueGreen("green", { pin: frontendPin, provenance: rolledBack(frontendPin) }, { pin: bad }), requirements(["ukrdc-services", "10.8.5"])], facts));
    });

    it("refuses a workload that is not a pinstack pin at all while on hold", async () => {
        await assertHasStackViolation(hold, production([...asDeployed(), workload("DaemonSet", { annotations: null })]), /^DaemonSet .*cannot be deployed now.*carries no pinstack\.dev\/pin/);
    });

    it("refuses package pins it cannot see during preview", async () => {
        const resources = [heldProgram, deployment({ pin: badBackend }), deployment({ pin: frontendPin }), configMap("pinstack-packages", { "requirements-release.txt": undefined })];
        const args = production(resources);
        const data = (args.resources.find((r) => r.type === "kubernetes:core/v1:ConfigMap")!.props as { data: Record<string, unknown> }).data;
        data["requirements-release.txt"] = unknownStringValue;
        await assertHasStackViolation(hold, args, /data\.requirements-release\.txt cannot be known during preview/);
    });

    it("fails closed when the program's hold output is unknown during preview", async () => {
        await assertHasStackViolation(hold, production([stackResource({ hold: unknownBooleanValue }), deployment({ pin: stagingBackend })], {}), /on hold/);
    });

    it("applies on playground too (its preset keeps hold mandatory: automation must not overwrite a rollback)", async () => {
        const violations = await runStackPolicy(hold, stackArgs([heldProgram, deployment({ pin: stagingBackend }), deployment({ pin: frontendPin }), requirements(["ukrdc-services", "10.8.5"])], { ...configFromFile("playground", "hold"), ...ciFacts }));
        assert.strictEqual(violations.length, 1);
    });
});
