import * as assert from "assert";
import { LabelKeys } from "../../../lib/contract";
import { readOnlyKey, strategies, strategyFor } from "../../../components/strategies";
import { blueGreen } from "../../../components/strategies/blueGreen";
import { inPlace } from "../../../components/strategies/inPlace";
import { readOnly } from "../../../components/strategies/readOnly";
import { digestA, digestB, servicePin } from "./fixtures";

describe("cutover strategies", () => {
    it("has one module per strategy name of the model", () => {
        assert.deepStrictEqual(Object.keys(strategies).sort(), ["blue-green", "in-place", "read-only"]);
        for (const [name, strategy] of Object.entries(strategies)) assert.strictEqual(strategy.name, name);
    });

    it("refuses an unknown strategy name", () => {
        assert.throws(() => strategyFor("canary" as never), /unknown cutover strategy "canary"/);
    });

    describe("in-place", () => {
        it("plans one workload running the configured pin, selected by name alone", () => {
            const plan = inPlace.plan(servicePin({ version: "v-2023.05.1", commit: "abc1234" }));
            assert.deepStrictEqual(plan.workloads, [{
                suffix: "",
                labels: {},
                pin: { tag: "2023.05.1", digest: digestA, version: "v-2023.05.1", commit: "abc1234", provenance: undefined },
                runsConfiguredPin: true,
            }]);
            assert.deepStrictEqual(plan.serviceSelector, {});
            assert.strictEqual(plan.appConfig, undefined);
        });

        it("shows an empty version for a pin with neither tag nor version", () => {
            assert.strictEqual(inPlace.plan(servicePin({ tag: undefined })).workloads[0].pin.version, "");
        });
    });

    describe("blue-green", () => {
        it("is blue when no colour is configured", () => {
            const plan = blueGreen.plan(servicePin({ strategy: "blue-green" }));
            assert.deepStrictEqual(plan.serviceSelector, { [LabelKeys.color]: "blue" });
            assert.deepStrictEqual(plan.workloads.map((w) => [w.suffix, w.runsConfiguredPin]), [["-blue", true], ["-green", true]]);
        });

        it("puts previous on the inactive colour, versioned by its tag", () => {
            const plan = blueGreen.plan(servicePin({ strategy: "blue-green", activeColor: "green", previous: { tag: "2023.04.2", digest: digestB } }));
            const [blue, green] = plan.workloads;
            assert.deepStrictEqual(blue.pin, { tag: "2023.04.2", digest: digestB, version: "2023.04.2" });
            assert.strictEqual(blue.runsConfiguredPin, false);
            assert.strictEqual(green.pin.tag, "2023.05.1");
            assert.strictEqual(green.runsConfiguredPin, true);
        });

        it("with sidecars and init containers, the active colour still runs the configured pin (both colours run the pin's extra containers)", () => {
            const containers = { initContainers: [{ name: "wait", image: "ghcr.io/pinstack-example/wait", tag: "1.2.0" }], sidecars: [{ name: "proxy", image: "ghcr.io/pinstack-example/proxy", tag: "2.4.1" }] };
            const plan = blueGreen.plan(servicePin({ strategy: "blue-green", activeColor: "green", previous: { tag: "2023.04.2", digest: digestB }, ...containers }));
            assert.deepStrictEqual(plan.workloads.map((w) => [w.suffix, w.runsConfiguredPin]), [["-blue", false], ["-green", true]]);
            const fresh = blueGreen.plan(servicePin({ strategy: "blue-green", ...containers }));
            assert.ok(fresh.workloads.every((w) => w.runsConfiguredPin), "no previous: both colours run the configured pin");
        });

        it("treats a previous pin equal to the configured one as the configured pin", () => {
            const plan = blueGreen.plan(servicePin({ strategy: "blue-green", previous: { tag: "2023.05.1", digest: digestA } }));
            assert.ok(plan.workloads.every((w) => w.runsConfiguredPin));
        });
    });

    describe("read-only", () => {
        it("rolls like in-place and keeps the flag in the app config", () => {
            const open = readOnly.plan(servicePin({ strategy: "read-only", readOnly: true }));
            assert.deepStrictEqual(open.appConfig, { [readOnlyKey]: "true" });
            assert.deepStrictEqual(open.workloads, inPlace.plan(servicePin({ strategy: "read-only", readOnly: true })).workloads);
            assert.deepStrictEqual(readOnly.plan(servicePin({ strategy: "read-only" })).appConfig, { READ_ONLY: "false" });
        });
    });
});
