/**
 * CI logic behind `pinstack ci`: pure functions over text and parsed config, so the
 * workflows' decisions are tested here rather than only on GitHub.
 */
export { changedStacks, ChangedStacks, normalisePath, pathEffect, PathEffect } from "./changed-stacks";
export { commentMarker, CommentInput, DEFAULT_MAX_CHARS, renderComment } from "./comment";
export { deployedCommitFromHistory, historyUpdates, holdGate, HoldVerdict } from "./hold-gate";
export {
    formatLoadTestRecord,
    LOAD_TEST_MODES,
    LOAD_TEST_OUTCOMES,
    LoadTestLabel,
    LoadTestMode,
    LoadTestOutcome,
    loadTestVerdict,
    LoadTestVerdict,
    parseLoadTestLabel,
    parseLoadTestRecord,
} from "./load-test";
export { reviewChanges, SECRET_TEXT } from "./pin-changes";
export { DeployedFacts, deployedFacts, earlierPinsFromHistory, parsePolicyConfig, withDeployedFacts, withFreeze, withGateResults } from "./policy-config";
export { parsePreview, PolicyFinding, PreviewDiagnostic, PreviewResult, ResourceChange, ResourceOp } from "./preview";
export { Redactor, secretValuesFromConfig } from "./secrets";
export { fitSections, GITHUB_COMMENT_LIMIT, Section } from "./truncate";
export { acceptanceChecklistGate, checklistItems, ChecklistItem, issueFromApiJson, IssueText } from "./acceptance-checklist";
export { formatGateResult, GATE_NAMES, GateName, GateResult, mergeGateResults, parseGateResult, unruledFailures } from "./gate-result";
export { branchCommit, branchTagGate, releaseBranchGate } from "./git-gates";
