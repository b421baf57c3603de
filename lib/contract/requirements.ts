import { NOWHERE, type PackageChannel, type PackagePin } from "../model";

/**
 * Package pins as they travel to the cluster: PackageRequirements' ConfigMap holds
 * `requirements-<channel>.txt` files of `name==version` lines (requirementsFiles), and the
 * policy pack reads them back (parseRequirements) to judge the pins the cluster gets.
 */

/** The data key of a requirements file: `requirements-<channel>.txt` (`requirements.txt` is the release channel). */
const REQUIREMENTS_FILE = /^requirements(?:-([A-Za-z0-9_.-]+))?\.txt$/;

const CHANNELS: readonly PackageChannel[] = ["dev", "staging", "release"];

/** The channel a requirements file name stands for; undefined for a name that is not one. */
export function requirementsChannel(file: string): PackageChannel | undefined {
    const match = REQUIREMENTS_FILE.exec(file);
    if (!match) return undefined;
    return CHANNELS.find((c) => c === match[1]) ?? "release";
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
            pins.push({ name: line, version: line, channel, location: NOWHERE });
            continue;
        }
        const specifier = match[2].split(";")[0].trim();
        const version = /^==(?!=)/.test(specifier) ? specifier.slice(2).trim() : specifier;
        pins.push({ name: match[1], version, channel, location: NOWHERE });
    }
    return pins;
}

/**
 * A pip requirement for a pin: `name==version` for an exact version; a specifier written
 * in config (`>=10.8`, only ever allowed on playground) is kept as written.
 */
export function requirementLine(name: string, version: string): string {
    return /^[<>=!~]/.test(version) ? `${name}${version}` : `${name}==${version}`;
}

/**
 * `requirements-<channel>.txt` per channel that has pins: the channel's `--index-url` when
 * known, then one sorted requirement per line. pip takes one index per file, so pins from
 * different channels are different files.
 */
export function requirementsFiles(
    packages: readonly PackagePin[],
    indexUrls: Readonly<Partial<Record<PackageChannel, string>>> = {},
): Record<string, string> {
    const byChannel = new Map<PackageChannel, string[]>();
    for (const pin of packages) {
        byChannel.set(pin.channel, [...(byChannel.get(pin.channel) ?? []), requirementLine(pin.name, pin.version)]);
    }
    const files: Record<string, string> = {};
    for (const channel of [...byChannel.keys()].sort()) {
        const url = indexUrls[channel];
        const lines = [`# channel: ${channel}`, ...(url ? [`--index-url ${url}`] : []), ...byChannel.get(channel)!.sort()];
        files[`requirements-${channel}.txt`] = `${lines.join("\n")}\n`;
    }
    return files;
}
