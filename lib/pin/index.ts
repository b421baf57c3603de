/**
 * What a pin is, in one place: the artifact a service runs (main image, init containers,
 * sidecars), its reference string and version, whether two pins are the same artifact, which
 * way a change moves, and the diff between two pins. No Pulumi imports: the CLI, the program
 * and the policy pack all use it.
 */
export { Artifact, artifactOfEntry, CONTAINER_KIND, ContainerList, EXTRA_CONTAINER_LISTS, extraContainers, ImagePin } from "./artifact";
export { Direction, direction } from "./direction";
export { ContainerChange, containerLines, diffPin, PinDiff } from "./diff";
export { DigestRule, pinKey, SameOptions, samePin } from "./equality";
export { activeColor, colorImages, promotedArtifact, swappedColors } from "./promotion";
export { pinOfReference, pinReference, shortDigest, shortPin } from "./reference";
export { pinVersion } from "./version";
