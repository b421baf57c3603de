import type { PackageChannel, PackagePin } from "../../lib/model";
import { field, isUnknown } from "./known";
import { nowhere } from "./stack";
import { describeWorkload, workloadOf } from "./workloads";

/**
 * Package pins as they travel to the cluster: PackageRequirements' ConfigMap
 * (components/requirements.ts) holds `requirements-<channel>.txt` files of `name==version`
 * lines. Any ConfigMap with such a file is read, whatever its name, so renaming the ConfigMap
 * does not slip a range past the pack.
 */
export interface RequirementsFile {
    readonly file: string;
    readonly pins: PackagePin[];
}

export type RequirementsReading = { readonly files: RequirementsFile[]; readonly unknown: string[] };

const CONFIG_MAP_TYPES = new Set(["kubernetes:core/v1:ConfigMap", "kubernetes:core/v1:ConfigMapPatch"]);
const REQUIREMENTS_FILE = /^requirements(?:-([A-Za-z0-9_.-]+))?\.txt$/;
const CHANNELS: readonly PackageChannel[] = ["dev", "staging", "release"];

/** The requirement files of a ConfigMap; undefined for other types or a ConfigMap without any. */
export function requirementsOf(type: string, props: unknown): RequirementsReading | undefined {
    if (!CONFIG_MAP_TYPES.has(type)) return undefined;
    const data = field(props, "data");
    if (isUnknown(data)) return { files: [], unknown: ["data"] };
    if (data === null || typeof data !== "object") return undefined;
    const reading: RequirementsReading = { files: [], unknown: [] };
    for (const key of Object.keys(data)) {
        const match = REQUIREMENTS_FILE.exec(key);
        if (!match) continue;
        const text = field(data, key);
        if (isUnknown(text)) {
            reading.unknown.push(`data.${key}`);
            continue;
        }
        if (typeof text !== "string") continue;
        const channel = CHANNELS.find((c) => c === match[1]) ?? "release";
        reading.files.push({ file: key, pins: parseRequirements(text, channel) });
    }
    return reading.files.length || reading.unknown.length ? reading : undefined;
}

/**
 * `name==version` lines back into pins. The version handed to lib is what follows `==`, or
 * the whole specifier when it is anything else (`>=10.8`, `~=1.2`, a URL, nothing at all), so
 * lib's packagePinProblem judges it. Options (`--index-url`) and comments are skipped.
 */
export function parseRequirements(text: string, channel: PackageChannel): PackagePin[] {
    const pins: PackagePin[] = [];
    for (const raw of text.split(/\r?\n/)) {
        const line = raw.replace(/(^|\s)#.*$/, "").trim();
        if (line === "" || line.startsWith("-")) continue;
        const match = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*(.*)$/.exec(line);
        if (!match) {
            pins.push({ name: line, version: line, channel, location: nowhere });
            continue;
        }
        const specifier = match[2].split(";")[0].trim();
        const version = /^==(?!=)/.test(specifier) ? specifier.slice(2).trim() : specifier;
        pins.push({ name: match[1], version, channel, location: nowhere });
    }
    return pins;
}


/** `ConfigMap namespace/name` of a policy's resource, for messages. */
export function describeResource(args: { readonly type: string; readonly props: unknown; readonly name: string }): string {
    const resource = workloadOf(args.type, args.props, args.name);
    return resource ? describeWorkload(resource) : args.name;
}
