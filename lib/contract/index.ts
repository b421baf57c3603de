/**
 * The program↔pack contract: what the program (components/) writes on Kubernetes objects and
 * the policy pack (policies/) reads back — label and annotation keys, the pin annotations and
 * the requirements ConfigMap — each with its encoder and decoder. No Pulumi imports.
 */
export { labelValue, LabelKeys, AnnotationKeys, managedBy, serviceLabels } from "./labels";
export { ContainersDecoding, DeclaredContainer, decodeContainers, decodePin, decodeProvenance, encodeContainers, encodeProvenance, PinDecoding, pinAnnotations, PROVENANCE_KEYS } from "./annotations";
export { parseRequirements, requirementLine, requirementsChannel, requirementsFiles } from "./requirements";
