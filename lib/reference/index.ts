/** Docker image references: parsing (distribution/reference grammar) and registry helpers. */
export { digestProblem, formatReference, ImageReference, Parsed, parseReference, parseRepositoryName, ReferenceResult, tagProblem } from "./parse";
export { DEFAULT_REGISTRY, qualifiedName, registryOf } from "./registry";
export { DIGEST_HEX_LENGTH, REPOSITORY_PATH_MAX } from "./grammar";
