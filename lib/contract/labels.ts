/**
 * Label and annotation keys pinstack writes on Kubernetes objects (the program's
 * components/) and the policy pack reads back (policies/). Treat them as a public contract:
 * add keys, never rename. The values are written and read by lib/contract's encoders and
 * decoders (annotations.ts, requirements.ts), never by hand on either side.
 */
export const LabelKeys = {
    name: "app.kubernetes.io/name",
    version: "app.kubernetes.io/version",
    partOf: "app.kubernetes.io/part-of",
    managedBy: "app.kubernetes.io/managed-by",
    /** blue-green only: the colour of a Deployment and its pods; the Service selects on it. */
    color: "pinstack.dev/color",
} as const;

export const AnnotationKeys = {
    /** Tag scheme the service declares (`semver`, `calver`, `commit`, `pep440`, `any`). */
    scheme: "pinstack.dev/scheme",
    /** The pinned reference as written in config: `repo:tag@digest` (digest only when pinned). */
    pin: "pinstack.dev/pin",
    /** Stack and preset the object was deployed by. */
    stack: "pinstack.dev/stack",
    environment: "pinstack.dev/environment",
    strategy: "pinstack.dev/strategy",
    /** Provenance of the pin, as written by `pinstack promote` (absent for typed-in pins). */
    promotedFrom: "pinstack.dev/promoted-from",
    promotedBy: "pinstack.dev/promoted-by",
    promotedAt: "pinstack.dev/promoted-at",
    reason: "pinstack.dev/reason",
    seal: "pinstack.dev/seal",
    /** "true" on pins written by `pinstack rollback`. */
    rollback: "pinstack.dev/rollback",
    /** "true" when the promotion was made with --allow-undeployed. */
    allowUndeployed: "pinstack.dev/allow-undeployed",
    /**
     * Which trusted key verified each image of the pin at promotion (provenance.signatures),
     * covered by the seal; absent when none was recorded. JSON: `[{"image","digest","key","keyDigest"}]`.
     */
    signatures: "pinstack.dev/signatures",
    /**
     * The pin's init containers and sidecars as configured, which its seal covers too; absent
     * when it has none. JSON, lists in order: `{"initContainers":[{"name":"migrate","pin":"repo:tag@digest"}],"sidecars":[...]}`.
     */
    containers: "pinstack.dev/containers",
    /** Pod template only: hash of the app ConfigMap, so a flag change rolls the pods. */
    configHash: "pinstack.dev/config-hash",
} as const;

/** The value pinstack writes as `app.kubernetes.io/managed-by`. */
export const managedBy = "pinstack";

/**
 * Kubernetes label values allow `[A-Za-z0-9._-]`, at most 63 characters, alphanumeric at
 * both ends. Versions may carry semver build metadata (`1.2.3+build.5`): `+` becomes `_`.
 * The exact version is always in version.json; the label is for selection and display.
 */
export function labelValue(value: string): string {
    const cleaned = value.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 63);
    return cleaned.replace(/^[^A-Za-z0-9]+/, "").replace(/[^A-Za-z0-9]+$/, "");
}

/** Labels every object of a service carries. The selector uses `name` only: it must never change. */
export function serviceLabels(service: string, partOf: string): Record<string, string> {
    return {
        [LabelKeys.name]: service,
        [LabelKeys.partOf]: labelValue(partOf),
        [LabelKeys.managedBy]: managedBy,
    };
}
