/**
 * The rules: one module per rule, one engine. The program's input validation,
 * `pinstack check` / `verify-image` and the policy pack all call these.
 */
export { effectivePreset } from "../presets";
export {
    evaluateImage,
    evaluateStack,
    EvaluateOptions,
    ImageInput,
    ImageResult,
    imageSubjectsOf,
    isRefused,
    refFromParts,
    ruleIds,
    rules,
} from "./engine";
export { Finding, ImageSubject, Rule, RuleContext, ServiceUnderRule, StackRuleOptions } from "./types";
export { isMutableTag, mutableTagReason, MUTABLE_TAG_NAMES } from "./no-mutable-tags";
export { isPrereleaseVersion } from "./no-prereleases";
export { packagePinProblem } from "./exact-package-pins";
export { registryAllowed } from "./registry-allowed";
export { provenanceProblem } from "./provenance";
export { HoldInput, holdMessage, pinStateOf } from "./hold";
export { collectEarlierPins, EarlierPins, EarlierPinsJson, earlierPinsFromJson, earlierPinsToJson, HoldChange, holdChanges, packageHoldChange, PinState, serviceHoldChange } from "./hold-pins";
export { LOAD_TEST_MODES, LoadTestLabel, LoadTestMode, parseLoadTestLabel } from "./load-test-label";
export { productionTagsFor } from "./production-branch-tag";
export { checkRepository, RepositorySettings } from "./immutable-repositories";
