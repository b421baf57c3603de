/**
 * The hold stack policy: while production is on hold (from CI's config, taken from the deployed
 * stack, or from the program's `hold` output), only rollback pins — and pins unchanged from what
 * is deployed — pass.
 */
import * as assert from "assert";
import { hold } from "../../../policies/hold";
import { backendPin, blueGreen, deployment, digestOf, frontendPin, promoted, rolledBack, stackResource, workload } from "./fixtures";
import { assertHasStackViolation, assertNoStackViolations, configFromFile, runStackPolicy, stackArgs, StackResourceInput, unknownBooleanValue } from "./helpers";

const frontendRef = `${frontendPin.image}:${frontendPin.tag}@${frontendPin.digest}`;
const production = (resources: StackResourceInput[], extra: Record<string, unknown> = {}) => stackArgs(resources, { ...configFromFile("production", "hold"), ...extra });
const heldProgram = stackResource({ hold: true, holdReason: "incident 42", environment: "production" });
const freeProgram = stackResource({ hold: false, holdReason: "", environment: "production" });

describe("policies: hold", () => {
    it("passes any promoted pin while the stack is not on hold", async () => {
        await assertNoStackViolations(hold, production([freeProgram, deployment()]));
    });

    it("refuses a promotion while the program says the stack is on hold", async () => {
        const violations = await assertHasStackViolation(hold, production([heldProgram, deployment()]), /service backend cannot be deployed now: production is on hold \(incident 42\): only rollbacks pass/, /not a rollback/);
        assert.strictEqual(violations.length, 1);
    });

    it("refuses a promotion while CI says the deployed stack is on hold, even when the change clears pinstack:hold", async () => {
        await assertHasStackViolation(hold, production([freeProgram, deployment()], { onHold: true, holdReason: "deployed stack on hold", deployed: { backend: `${backendPin.image}:2023.05.1@${digestOf("5")}` } }), /on hold \(deployed stack on hold\)/, /not the pin deployed now/);
    });

    it("passes a rollback: every changed pin carries sealed rollback provenance", async () => {
        await assertNoStackViolations(hold, production([heldProgram, deployment({ provenance: rolledBack(backendPin) }), workload("Job", { provenance: rolledBack(backendPin) })]));
    });

    it("passes pins unchanged from the deployed ones (rollback re-seals only what it changes)", async () => {
        const resources = [heldProgram, deployment({ provenance: rolledBack(backendPin) }), deployment({ pin: frontendPin })];
        await assertNoStackViolations(hold, production(resources, { deployed: { backend: `${backendPin.image}:2023.07.1@${digestOf("7")}`, frontend: frontendRef } }));
    });

    it("refuses an unchanged-looking pin when CI did not pass the deployed pins", async () => {
        const resources = [heldProgram, deployment({ provenance: rolledBack(backendPin) }), deployment({ pin: frontendPin })];
        await assertHasStackViolation(hold, production(resources), /frontend .*not given the deployed pins \(hold\.deployed\)/);
    });

    it("refuses, on hold, a rollback pin whose pod runs a sidecar its pin does not declare", async () => {
        const resources = [heldProgram, deployment({ provenance: rolledBack(backendPin), sidecars: [{ name: "proxy", image: `ghcr.io/pinstack-example/proxy:2.0.2@${digestOf("e")}` }] })];
        await assertHasStackViolation(hold, production(resources), /on hold .*runs sidecar proxy, which its pin does not declare/);
    });

    describe("a pin's init containers and sidecars are part of it", () => {
        const proxy = (tag: string) => ({ name: "proxy", image: "ghcr.io/pinstack-example/proxy", tag });
        const withProxy = (tag: string) => ({ ...backendPin, sidecars: [proxy(tag)] });
        const deployedRef = `${backendPin.image}:${backendPin.tag}@${backendPin.digest}`;
        const deployedProxy = (tag: string) => JSON.stringify({ sidecars: [{ name: "proxy", pin: `ghcr.io/pinstack-example/proxy:${tag}` }] });

        it("passes a pin whose containers are the deployed ones", async () => {
            const pin = withProxy("2.0.1");
            await assertNoStackViolations(hold, production([heldProgram, deployment({ pin, provenance: promoted(pin) })], { deployed: { backend: deployedRef }, deployedContainers: { backend: deployedProxy("2.0.1") } }));
        });

        it("refuses a sidecar changed under the deployed main image, naming it", async () => {
            const pin = withProxy("2.0.2");
            await assertHasStackViolation(hold, production([heldProgram, deployment({ pin, provenance: promoted(pin) })], { deployed: { backend: deployedRef }, deployedContainers: { backend: deployedProxy("2.0.1") } }), /not the pin deployed now .*sidecar proxy: 2\.0\.1 → 2\.0\.2/);
        });

        it("refuses a sidecar added where no deployed service runs one", async () => {
            const pin = withProxy("2.0.1");
            await assertHasStackViolation(hold, production([heldProgram, deployment({ pin, provenance: promoted(pin) })], { deployed: { backend: deployedRef } }), /sidecar proxy added/);
        });
    });

    it("refuses a rollback flag whose seal does not match (added by hand, or copied)", async () => {
        const forged = { ...promoted(backendPin), rollback: true };
        await assertHasStackViolation(hold, production([heldProgram, deployment({ provenance: forged })]), /rollback provenance .* has a seal that does not match/);
        const copied = rolledBack(frontendPin);
        await assertHasStackViolation(hold, production([heldProgram, deployment({ provenance: copied })]), /seal that does not match/);
    });

    it("refuses a deployed-looking digest that differs from the deployed one", async () => {
        await assertHasStackViolation(hold, production([heldProgram, deployment()], { deployed: { backend: `${backendPin.image}:${backendPin.tag}@${digestOf("0")}` } }), /not the pin deployed now/);
    });

    it("passes a blue-green switch back: the active colour runs the rollback pin, the standby runs what was rolled back", async () => {
        const bad = { ...frontendPin, tag: "2023.07.1", digest: digestOf("7") };
        await assertNoStackViolations(hold, production([heldProgram, ...blueGreen("green", { pin: frontendPin, provenance: rolledBack(frontendPin) }, { pin: bad })]));
    });

    it("refuses a workload that is not a pinstack pin at all while on hold", async () => {
        await assertHasStackViolation(hold, production([heldProgram, workload("DaemonSet", { annotations: null })]), /^DaemonSet .*cannot be deployed now.*carries no pinstack\.dev\/pin/);
    });

    it("fails closed when the program's hold output is unknown during preview", async () => {
        await assertHasStackViolation(hold, production([stackResource({ hold: unknownBooleanValue }), deployment()]), /on hold/);
    });

    it("applies on playground too (its preset keeps hold mandatory: automation must not overwrite a rollback)", async () => {
        const violations = await runStackPolicy(hold, stackArgs([heldProgram, deployment()], configFromFile("playground", "hold")));
        assert.strictEqual(violations.length, 1);
    });
});
