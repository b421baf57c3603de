/**
 * The provenance stack policy: what production runs must carry the sealed provenance
 * `pinstack promote staging production` writes, for this service and the pin its container
 * really runs.
 */
import { AnnotationKeys } from "../../../components/labels";
import { provenance } from "../../../policies/provenance";
import { backendPin, blueGreen, deployment, digestOf, frontendPin, promoted, rolledBack, service, workload } from "./fixtures";
import { assertHasStackViolation, assertNoStackViolations, configFromFile, runStackPolicy, stackArgs, StackResourceInput, unknownStringValue } from "./helpers";
import * as assert from "assert";

const production = (resources: StackResourceInput[], extra: Record<string, unknown> = {}) => stackArgs(resources, { ...configFromFile("production", "provenance"), ...extra });
const backendRef = `${backendPin.image}:${backendPin.tag}@${backendPin.digest}`;

describe("policies: provenance", () => {
    it("passes pins promoted from staging: Deployment, its migrations Job, a blue-green pair's active colour", async () => {
        const resources = [
            deployment(),
            workload("Job", {}),
            ...blueGreen("blue", { pin: frontendPin }, { pin: { ...frontendPin, tag: "2023.05.4", digest: digestOf("9") } }),
        ];
        await assertNoStackViolations(provenance, production(resources));
    });

    it("refuses a pin typed in (no provenance)", async () => {
        await assertHasStackViolation(provenance, production([deployment({ provenance: null })]), /service backend was typed in, not promoted \(no provenance\)/);
    });

    it("refuses a provenance naming another stack than staging", async () => {
        await assertHasStackViolation(provenance, production([deployment({ provenance: promoted(backendPin, { from: "playground" }) })]), /was promoted from 'playground', not from 'staging'/);
    });

    it("promoteFrom in the pack's config names the source stack when it is not the preset's (Merino: stage -> prod)", async () => {
        const fromStage = [deployment({ provenance: promoted(backendPin, { from: "stage" }) })];
        await assertHasStackViolation(provenance, production(fromStage), /was promoted from 'stage', not from 'staging'/);
        await assertNoStackViolations(provenance, production(fromStage, { promoteFrom: "stage", stack: "prod" }));
        await assertHasStackViolation(
            provenance,
            production([deployment({ provenance: promoted(backendPin) })], { promoteFrom: "stage", stack: "prod" }),
            /was promoted from 'staging', not from 'stage'/,
        );
    });

    it("refuses a tag edited by hand after promotion (the seal binds the pin)", async () => {
        const edited = { ...backendPin, tag: "2023.06.2" };
        await assertHasStackViolation(provenance, production([deployment({ pin: edited, provenance: promoted(backendPin) })]), /seal does not match this pin/);
    });

    it("refuses a digest edited by hand after promotion", async () => {
        const edited = { ...backendPin, digest: digestOf("f") };
        await assertHasStackViolation(provenance, production([deployment({ pin: edited, provenance: promoted(backendPin) })]), /seal does not match this pin/);
    });

    it("refuses a provenance copied from another service", async () => {
        // frontend's own, valid provenance pasted under backend (same image even): the seal names frontend.
        const copied = promoted({ ...frontendPin, image: backendPin.image, tag: backendPin.tag, digest: backendPin.digest });
        await assertHasStackViolation(provenance, production([deployment({ provenance: copied })]), /service backend has a provenance whose seal does not match/);
    });

    it("refuses an edited reason (everything in the provenance is sealed)", async () => {
        const p = promoted(backendPin);
        await assertHasStackViolation(provenance, production([deployment({ provenance: { ...p, reason: "soaked for a week" } })]), /seal does not match/);
    });

    it("refuses a rollback flag added by hand", async () => {
        const p = promoted(backendPin);
        await assertHasStackViolation(provenance, production([deployment({ provenance: { ...p, rollback: true } })]), /seal does not match/);
    });

    it("refuses a container that runs something else under a good pin annotation", async () => {
        const violations = await assertHasStackViolation(provenance, production([deployment({ runs: `${backendPin.image}:2023.07.1@${digestOf("c")}` })]), /runs "ghcr\.io\/pinstack-example\/backend:2023\.07\.1@sha256:c+" in container backend, but its pinstack\.dev\/pin annotation says/);
        assert.strictEqual(violations[0].urn, "urn:pulumi:test::pinstack::kubernetes:apps/v1:Deployment::backend");
    });

    it("accepts a tag-only pin running with the digest it was resolved to", async () => {
        const tagOnly = { ...backendPin, digest: undefined };
        await assertNoStackViolations(provenance, production([deployment({ pin: tagOnly, provenance: promoted(tagOnly), runs: backendRef })]));
    });

    it("refuses a workload not made by ServiceRelease (no pin annotation)", async () => {
        await assertHasStackViolation(provenance, production([workload("CronJob", { annotations: null })]), /^CronJob .* carries no pinstack\.dev\/pin annotation/);
    });

    it("refuses a pin annotation that is not a reference", async () => {
        const resource = deployment();
        resource.props.metadata.annotations[AnnotationKeys.pin] = `${backendPin.image}:2023.06.1@sha256:abc`;
        await assertHasStackViolation(provenance, production([resource]), /pinstack\.dev\/pin annotation .* is not an image reference/);
    });

    it("fails closed when the seal is unknown during preview", async () => {
        const resource = deployment();
        resource.props.metadata.annotations[AnnotationKeys.seal] = unknownStringValue;
        await assertHasStackViolation(provenance, production([resource]), /provenance annotations cannot be known during preview/);
    });

    it("fails closed when the container image is unknown during preview", async () => {
        await assertHasStackViolation(provenance, production([deployment({ runs: unknownStringValue })]), /image of container backend cannot be known during preview/);
    });

    describe("blue-green", () => {
        const previous = { ...backendPin, tag: "2023.05.1", digest: digestOf("5") };

        it("exempts the standby colour, which runs the previous pin without provenance", async () => {
            await assertNoStackViolations(provenance, production(blueGreen("green", {}, { pin: previous })));
        });

        it("refuses an active colour without provenance", async () => {
            await assertHasStackViolation(provenance, production(blueGreen("green", { provenance: null }, { pin: previous })), /backend-green: service backend was typed in/);
        });

        it("refuses a 'standby' whose pods the Service selects after all (template labels say the active colour)", async () => {
            const [active, standby, svc] = blueGreen("blue", {}, { pin: previous });
            standby.props.spec.template.metadata.labels["pinstack.dev/color"] = "blue";
            await assertHasStackViolation(provenance, production([active, standby, svc]), /backend-green: .*typed in/);
        });

        it("refuses a colour without provenance when no Service selects the pair", async () => {
            const [, standby] = blueGreen("blue", {}, { pin: previous });
            await assertHasStackViolation(provenance, production([standby]), /backend-green: .*typed in/);
        });

        it("fails closed when the Service's selector is unknown during preview", async () => {
            const [active, standby] = blueGreen("blue", {}, { pin: previous });
            const svc = service("backend", { "app.kubernetes.io/name": "backend", "pinstack.dev/color": unknownStringValue });
            await assertHasStackViolation(provenance, production([active, standby, svc]), /backend-green: .*typed in/);
        });
    });

    describe("sourcePins (from the staging stack's outputs, given by CI)", () => {
        it("passes a pin that ran on staging", async () => {
            await assertNoStackViolations(provenance, production([deployment()], { sourcePins: { backend: [backendRef] } }));
        });

        it("refuses a validly sealed pin that never ran on staging", async () => {
            await assertHasStackViolation(provenance, production([deployment()], { sourcePins: { backend: [`${backendPin.image}:2023.05.1@${digestOf("5")}`] } }), /never ran on staging/);
            await assertHasStackViolation(provenance, production([deployment()], { sourcePins: {} }), /never ran on staging \(staging ran nothing\)/);
        });

        it("lets --allow-undeployed pins through only when the config accepts them", async () => {
            const undeployed = promoted(backendPin, { allowUndeployed: true });
            await assertHasStackViolation(provenance, production([deployment({ provenance: undeployed })], { sourcePins: {} }), /never ran on staging/);
            await assertNoStackViolations(provenance, production([deployment({ provenance: undeployed })], { sourcePins: {}, acceptAllowUndeployed: true }));
        });
    });

    it("passes a pin restored by pinstack rollback (its original from, rollback: true, sealed)", async () => {
        await assertNoStackViolations(provenance, production([deployment({ provenance: rolledBack(backendPin) })]));
    });

    it("does not apply on staging or playground (no promoteFrom)", async () => {
        for (const stack of ["staging", "playground"]) {
            const violations = await runStackPolicy(provenance, stackArgs([deployment({ provenance: null })], configFromFile(stack, "provenance")));
            assert.deepStrictEqual(violations, [], stack);
        }
    });
});
