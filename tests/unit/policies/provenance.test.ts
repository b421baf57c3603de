/**
 * The provenance stack policy: what production runs must carry the sealed provenance
 * `pinstack promote staging production` writes, for this service and the pin its container
 * really runs.
 */
import { AnnotationKeys } from "../../../lib/contract";
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

    describe("init containers and sidecars (pinstack.dev/containers, covered by the seal)", () => {
        const proxy = { name: "proxy", image: "ghcr.io/pinstack-example/proxy", tag: "2.0.1", digest: digestOf("d") };
        const migrate = { name: "migrate", image: "ghcr.io/pinstack-example/migrate", tag: "2023.06.1" };
        const withContainers = { ...backendPin, initContainers: [migrate], sidecars: [proxy] };
        const annotation = (resource: StackResourceInput) => resource.props.metadata.annotations;

        it("passes containers promoted with the service, on the Deployment and on its migrations Job (which runs none of them)", async () => {
            const job = workload("Job", { pin: withContainers, initContainers: [], sidecars: [] });
            await assertNoStackViolations(provenance, production([deployment({ pin: withContainers }), job]));
        });

        it("refuses a sidecar edited by hand after promotion (the annotation says what config now pins)", async () => {
            const edited = { ...withContainers, sidecars: [{ ...proxy, tag: "2.0.2", digest: digestOf("e") }] };
            await assertHasStackViolation(provenance, production([deployment({ pin: edited, provenance: promoted(withContainers) })]), /seal does not match this pin or its init containers and sidecars/);
        });

        it("refuses a sidecar added by hand after promotion", async () => {
            const added = { ...backendPin, sidecars: [proxy] };
            await assertHasStackViolation(provenance, production([deployment({ pin: added, provenance: promoted(backendPin) })]), /sealed before seals covered init containers and sidecars/);
        });

        it("refuses a container the pod runs but the pin does not declare", async () => {
            const extra = [{ name: "proxy", image: `${proxy.image}:${proxy.tag}@${proxy.digest}` }, { name: "debug", image: `ghcr.io/pinstack-example/debug:1.0.0@${digestOf("f")}` }];
            await assertHasStackViolation(provenance, production([deployment({ pin: withContainers, sidecars: extra })]), /runs sidecar debug, which its pin does not declare \(pinstack\.dev\/containers\)/);
            await assertHasStackViolation(provenance, production([deployment({ sidecars: [extra[0]] })]), /runs sidecar proxy, which its pin does not declare/);
            await assertHasStackViolation(provenance, production([deployment({ pin: withContainers, ephemeralContainers: [{ name: "proxy", image: extra[0].image }] })]), /runs ephemeral container proxy, which its pin does not declare/);
        });

        it("refuses a declared container that runs something else, or in the other list", async () => {
            const swapped = [{ name: "proxy", image: `docker.io/evil/proxy:2.0.1@${digestOf("d")}` }];
            await assertHasStackViolation(provenance, production([deployment({ pin: withContainers, sidecars: swapped })]), /runs "docker\.io\/evil\/proxy:2\.0\.1@sha256:d+" in sidecar proxy, but its pinstack\.dev\/containers annotation pins ghcr\.io\/pinstack-example\/proxy:2\.0\.1@sha256:d+/);
            const moved = { initContainers: [{ name: "migrate", image: `${migrate.image}:${migrate.tag}` }, { name: "proxy", image: `${proxy.image}:${proxy.tag}@${proxy.digest}` }], sidecars: [] };
            await assertHasStackViolation(provenance, production([deployment({ pin: withContainers, ...moved })]), /runs init container proxy, which its pin does not declare/);
        });

        it("accepts a tag-only container running with the digest it was resolved to", async () => {
            const resolved = [{ name: "migrate", image: `${migrate.image}:${migrate.tag}@${digestOf("7")}` }];
            await assertNoStackViolations(provenance, production([deployment({ pin: withContainers, initContainers: resolved })]));
        });

        it("refuses an edited annotation: the seal covers what it declares", async () => {
            const resource = deployment({ pin: withContainers });
            const declared = JSON.parse(annotation(resource)[AnnotationKeys.containers]);
            declared.sidecars[0].pin = `${proxy.image}:2.0.2@${digestOf("e")}`;
            annotation(resource)[AnnotationKeys.containers] = JSON.stringify(declared);
            resource.props.spec.template.spec.containers[1].image = declared.sidecars[0].pin;
            await assertHasStackViolation(provenance, production([resource]), /seal does not match/);
        });

        it("refuses a malformed annotation, and fails closed when it is unknown during preview", async () => {
            const cases: [unknown, RegExp][] = [
                ["{not json", /pinstack\.dev\/containers annotation is not JSON/],
                ["[]", /is not a JSON object/],
                [JSON.stringify({ ephemeralContainers: [] }), /has a list "ephemeralContainers"/],
                [JSON.stringify({ sidecars: {} }), /has sidecars that is not a list/],
                [JSON.stringify({ sidecars: [{ name: "proxy" }] }), /has an entry in sidecars without a name and pin/],
                [JSON.stringify({ sidecars: [{ name: "proxy", pin: "ghcr.io/x/proxy:2.0.1@sha256:abc" }] }), /pins sidecars proxy to .* which is not an image reference/],
                [unknownStringValue, /pinstack\.dev\/containers annotation cannot be known during preview/],
            ];
            for (const [value, message] of cases) {
                const resource = deployment({ pin: withContainers });
                annotation(resource)[AnnotationKeys.containers] = value;
                await assertHasStackViolation(provenance, production([resource]), message);
            }
        });

        it("fails closed when a container list, or one entry of it, is unknown during preview", async () => {
            const unknownList = deployment({ pin: withContainers });
            unknownList.props.spec.template.spec.initContainers = unknownStringValue;
            await assertHasStackViolation(provenance, production([unknownList]), /what its pod runs \(spec\.template\.spec\.initContainers\) cannot be known during preview/);
            const unknownEntry = deployment({ pin: withContainers });
            unknownEntry.props.spec.template.spec.containers[1] = unknownStringValue;
            await assertHasStackViolation(provenance, production([unknownEntry]), /what its pod runs \(spec\.template\.spec\.containers\[1\]\) cannot be known during preview/);
        });

        it("refuses a sidecar whose image is not a reference", async () => {
            await assertHasStackViolation(provenance, production([deployment({ pin: withContainers, sidecars: [{ name: "proxy", image: "ghcr.io/pinstack-example/proxy:2.0.1@sha256:abc" }] })]), /runs "ghcr\.io\/pinstack-example\/proxy:2\.0\.1@sha256:abc" in sidecar proxy, but its pinstack\.dev\/containers annotation pins/);
        });

        it("refuses declared containers the pod runs in another order (the seal covers the order)", async () => {
            const twoInits = { ...backendPin, initContainers: [migrate, { name: "warm", image: "ghcr.io/pinstack-example/warm", tag: "1.0.0" }] };
            const reversed = [{ name: "warm", image: "ghcr.io/pinstack-example/warm:1.0.0" }, { name: "migrate", image: `${migrate.image}:${migrate.tag}` }];
            await assertNoStackViolations(provenance, production([deployment({ pin: twoInits })]));
            await assertHasStackViolation(provenance, production([deployment({ pin: twoInits, initContainers: reversed })]), /runs its init containers in the order warm, migrate, but its pinstack\.dev\/containers annotation declares migrate, warm/);
        });

        it("fails closed when a sidecar's image is unknown during preview", async () => {
            await assertHasStackViolation(provenance, production([deployment({ pin: withContainers, sidecars: [{ name: "proxy", image: unknownStringValue }] })]), /image of sidecar proxy cannot be known during preview/);
        });
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
