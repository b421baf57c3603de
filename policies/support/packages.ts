import { parseRequirements, requirementsChannel } from "../../lib/contract";
import type { PackagePin } from "../../lib/model";
import { field, isUnknown } from "./known";
import { describeWorkload, workloadOf } from "./workloads";

/**
 * Package pins as they travel to the cluster: PackageRequirements' ConfigMap
 * (lib/contract/requirements.ts) holds `requirements-<channel>.txt` files of `name==version`
 * lines. Any ConfigMap with such a file is read, whatever its name, so renaming the ConfigMap
 * does not slip a range past the pack.
 */
export interface RequirementsFile {
    readonly file: string;
    readonly pins: PackagePin[];
}

export type RequirementsReading = { readonly files: RequirementsFile[]; readonly unknown: string[] };

const CONFIG_MAP_TYPES = new Set(["kubernetes:core/v1:ConfigMap", "kubernetes:core/v1:ConfigMapPatch"]);

/** The requirement files of a ConfigMap; undefined for other types or a ConfigMap without any. */
export function requirementsOf(type: string, props: unknown): RequirementsReading | undefined {
    if (!CONFIG_MAP_TYPES.has(type)) return undefined;
    const data = field(props, "data");
    if (isUnknown(data)) return { files: [], unknown: ["data"] };
    if (data === null || typeof data !== "object") return undefined;
    const reading: RequirementsReading = { files: [], unknown: [] };
    for (const key of Object.keys(data)) {
        const channel = requirementsChannel(key);
        if (!channel) continue;
        const text = field(data, key);
        if (isUnknown(text)) {
            reading.unknown.push(`data.${key}`);
            continue;
        }
        if (typeof text !== "string") continue;
        reading.files.push({ file: key, pins: parseRequirements(text, channel) });
    }
    return reading.files.length || reading.unknown.length ? reading : undefined;
}

/** `ConfigMap namespace/name` of a policy's resource, for messages. */
export function describeResource(args: { readonly type: string; readonly props: unknown; readonly name: string }): string {
    const resource = workloadOf(args.type, args.props, args.name);
    return resource ? describeWorkload(resource) : args.name;
}
