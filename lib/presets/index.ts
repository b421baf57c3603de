/** Stack presets: their shape, the catalog the entry points hand over (stacks/), and a stack's effective preset. No Pulumi imports. */
export { presetFor, presetNames, usePresets } from "./catalog";
export { effectivePreset } from "./effective";
export { ENVIRONMENT_ORDER, FloorProblem, floorProblems, OPTIONAL_GATES, registryWithin, StackFloor } from "./floor";
export { allRulesAt, StackPreset } from "./types";
