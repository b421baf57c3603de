import type { PackageChannel, PackagePin } from "../lib/model";

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
