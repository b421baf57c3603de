/**
 * Wall-clock time in a named IANA zone, through Intl (the zone data Node ships), so a window
 * written as "Fri 16:00 Europe/London" follows the zone's DST changes without a table of our own.
 */

/** A local date and time in a zone; weekday 0 is Sunday, as Date.getUTCDay. */
export interface LocalTime {
    readonly year: number;
    readonly month: number;
    readonly day: number;
    readonly hour: number;
    readonly minute: number;
    readonly weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** True when Intl knows the zone (e.g. Europe/London); "Europe/Londn" or "BST" are not zones. */
export function isKnownZone(zone: string): boolean {
    // Intl accepts offsets such as "+01:00" too; a window names a zone so that DST follows it.
    if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone)) return false;
    try {
        formatterOf(zone);
        return true;
    } catch {
        return false;
    }
}

function formatterOf(zone: string): Intl.DateTimeFormat {
    let formatter = formatters.get(zone);
    if (!formatter) {
        formatter = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
        formatters.set(zone, formatter);
    }
    return formatter;
}

/** The wall-clock time in `zone` at `instant`. */
export function localTimeAt(instant: Date, zone: string): LocalTime {
    const parts: Record<string, number> = {};
    for (const part of formatterOf(zone).formatToParts(instant)) if (part.type !== "literal") parts[part.type] = Number(part.value);
    const weekday = new Date(Date.UTC(parts.year, parts.month - 1, parts.day)).getUTCDay();
    return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, weekday };
}

/** The zone's offset from UTC at `instant`, in milliseconds (London in summer: +3 600 000). */
function offsetAt(instant: number, zone: string): number {
    const local = localTimeAt(new Date(instant), zone);
    const seconds = new Date(instant).getUTCSeconds();
    return Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, seconds) - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant at which `zone`'s clocks show the given date and time. A time the clocks skip
 * (01:30 on the day London springs forward) is taken as the moment they jump past it, so a
 * window that starts or ends in the gap starts or ends at the jump; a time they show twice
 * (01:30 on the day they fall back) as its first showing.
 */
export function instantOf(year: number, month: number, day: number, hour: number, minute: number, zone: string): Date {
    const asUtc = Date.UTC(year, month - 1, day, hour, minute);
    // The offsets half a day either side bracket any DST change near the wanted time.
    const before = offsetAt(asUtc - 12 * 3_600_000, zone);
    const after = offsetAt(asUtc + 12 * 3_600_000, zone);
    for (const offset of [...new Set([before, after])].sort((a, b) => b - a)) {
        const instant = asUtc - offset;
        if (offsetAt(instant, zone) === offset) return new Date(instant);
    }
    // Skipped: the clocks jump forward (after > before) somewhere in [asUtc - after, asUtc - before].
    let lo = asUtc - after;
    let hi = asUtc - before;
    while (hi - lo > 60_000) {
        const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
        if (offsetAt(mid, zone) === after) hi = mid;
        else lo = mid;
    }
    return new Date(hi);
}
