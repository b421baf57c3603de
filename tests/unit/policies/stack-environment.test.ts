/** stack-environment: the program ran with the preset the pack checks for. */
import { stackEnvironment } from "../../../policies/stack-environment";
import { deployment, stackResource } from "./fixtures";
import { assertHasStackViolation, assertNoStackViolations, configFromFile, stackArgs, unknownStringValue } from "./helpers";

const production = (resources: Parameters<typeof stackArgs>[0]) => stackArgs(resources, configFromFile("production", "stack-environment"));

describe("policies: stack-environment", () => {
    it("passes a program and workloads that ran as production", async () => {
        await assertNoStackViolations(stackEnvironment, production([stackResource({ environment: "production" }), deployment()]));
    });

    it("passes when the program says nothing about its environment", async () => {
        await assertNoStackViolations(stackEnvironment, production([stackResource({}), deployment({ annotations: null })]));
    });

    it("refuses a production stack whose pinstack:environment was switched to playground", async () => {
        await assertHasStackViolation(stackEnvironment, production([stackResource({ environment: "playground" })]), /runs with pinstack:environment 'playground', but this policy config is for production/);
    });

    it("refuses a workload annotated with another environment", async () => {
        await assertHasStackViolation(stackEnvironment, production([deployment({ environment: "staging" })]), /pinstack\.dev\/environment is 'staging'/);
    });

    it("fails closed on an environment unknown during preview", async () => {
        await assertHasStackViolation(stackEnvironment, production([stackResource({ environment: unknownStringValue })]), /cannot be known during preview/);
    });
});
