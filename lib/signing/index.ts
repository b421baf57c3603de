/** Image signatures: the keys a stack trusts, cosign's classic format checked against a registry, and the records promote leaves. No Pulumi imports. */
export { keyDigestOf, loadTrust, PackTrustedKey, packTrustedKeys, Trust, TrustedKey, trustFromPack, validityProblem } from "./keys";
export { signatureTag, SIMPLE_SIGNING_TYPE, SIGNATURE_ANNOTATION, COSIGN_PAYLOAD_TYPE, PAYLOAD_MAX_BYTES, MAX_SIGNATURES } from "./cosign";
export { SignatureFailure, SignatureVerdict, verifyImageSignature } from "./verify";
export { PinnedImage, pinnedImages, recordedSignatureProblems } from "./records";
export { signatureLevel, stackTrust } from "./policy";
