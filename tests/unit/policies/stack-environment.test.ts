/** stack-environment: the program ran with the preset the pack checks for. */
import * as assert from "assert";
import { stackEnvironment } from "../../../policies/stack-environment";
import { deployment, workload } from "./fixtures";
import { assertHasResourceViolation, assertNoResourceViolations, configFromFile, resourceArgs, runResourcePolicy, StackResourceInput, unknownStringValue } from "./helpers";

const production = (resource: StackResourceInput) => resourceArgs({ ...resource, config: configFromFile("production", "stack-environment") });

describe("policies: stack-environment", () => {
    it("passes a Deployment made for production", async () => {
        await assertNoResourceViolations(stackEnvironment, production(deployment()));
    });

    it("passes a Deployment that says nothing about its environment", async () => {
        await assertNoResourceViolations(stackEnvironment, production(deployment({ annotations: null })));
    });

    it("refuses a production stack whose pinstack:environment was switched to playground", async () => {
        await assertHasResourceViolation(stackEnvironment, production(deployment({ environment: "playground" })), /was made with pinstack:environment 'playground', but this policy config is for production/);
    });

    it("refuses the production config on a staging program (CI passing the wrong config)", async () => {
        await assertHasResourceViolation(stackEnvironment, production(deployment({ environment: "staging" })), /'staging', but this policy config is for production/);
    });

    it("fails closed on an environment unknown during preview", async () => {
        await assertHasResourceViolation(stackEnvironment, production(deployment({ environment: unknownStringValue })), /cannot be known during preview/);
    });

    it("reads Deployments only", async () => {
        assert.deepStrictEqual(await runResourcePolicy(stackEnvironment, production(workload("Job", { environment: "playground" }))), []);
    });
});
