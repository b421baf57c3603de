import { isKnownZone } from "./zone";

/**
 * Freeze windows as a stack declares them (`pinstack:freeze.windows`), one string each:
 *   weekly: "Fri 16:00 - Mon 08:00 Europe/London" (may cross midnight and the week end)
 *   dated:  "2026-12-20 - 2027-01-04 Europe/London" (whole days, the end day included), or
 *           "2026-12-20 16:00 - 2027-01-04 08:00 Europe/London"
 * The zone is required: a freeze "from Friday 16:00" means the team's clock, and UTC would
 * be an hour off for half the year. The dash may be "-", "–" or "to".
 */
export type FreezeWindow = WeeklyWindow | DatedWindow;

export interface WeeklyWindow {
    readonly kind: "weekly";
    /** The text as written: windows are named by it in messages. */
    readonly text: string;
    readonly zone: string;
    /** Minutes since Sunday 00:00 local time. */
    readonly start: number;
    readonly end: number;
}

export interface LocalDateTime {
    readonly year: number;
    readonly month: number;
    readonly day: number;
    readonly hour: number;
    readonly minute: number;
}

export interface DatedWindow {
    readonly kind: "dated";
    readonly text: string;
    readonly zone: string;
    readonly start: LocalDateTime;
    /** Exclusive: a date written without a time ends at 00:00 of the next day. */
    readonly end: LocalDateTime;
}

const WEEK = 7 * 1440;
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const SEPARATOR = /\s*(?:\s-\s|–|—|\sto\s)\s*/i;

/** Parses one window; a string instead of a window says what is wrong with it. */
export function parseWindow(text: string): FreezeWindow | { problem: string } {
    const trimmed = text.trim();
    const zoneMatch = /\s(\S+)$/.exec(trimmed);
    const zone = zoneMatch?.[1] ?? "";
    if (!zoneMatch || /^\d/.test(zone)) return { problem: `'${text}' names no time zone: end it with an IANA zone, e.g. "Fri 16:00 - Mon 08:00 Europe/London"` };
    if (!isKnownZone(zone)) return { problem: `'${zone}' is not a known IANA time zone (write e.g. Europe/London, America/New_York or UTC)` };
    const range = trimmed.slice(0, zoneMatch.index).split(SEPARATOR);
    if (range.length !== 2) return { problem: `'${text}' is not "<start> - <end> <zone>", e.g. "Fri 16:00 - Mon 08:00 Europe/London" or "2026-12-20 - 2027-01-04 Europe/London"` };
    const [from, to] = range.map((s) => s.trim());
    if (/^\d{4}-/.test(from)) return datedWindow(text, from, to, zone);
    return weeklyWindow(text, from, to, zone);
}

function weeklyWindow(text: string, from: string, to: string, zone: string): WeeklyWindow | { problem: string } {
    const start = weekMinute(from);
    if (typeof start === "string") return { problem: start };
    const end = weekMinute(to);
    if (typeof end === "string") return { problem: end };
    if (start === end) return { problem: `'${text}' starts and ends at the same time: a weekly window needs a length` };
    return { kind: "weekly", text, zone, start, end };
}

function weekMinute(text: string): number | string {
    const match = /^([A-Za-z]{3})[a-z]*\s+(\d{1,2}):(\d{2})$/.exec(text);
    const day = match ? DAYS.indexOf(match[1].toLowerCase()) : -1;
    if (!match || day < 0) return `'${text}' is not a day and time, e.g. Fri 16:00`;
    const hour = Number(match[2]);
    const minute = Number(match[3]);
    if (hour > 24 || minute > 59 || (hour === 24 && minute > 0)) return `'${text}' is not a time of day (00:00 to 24:00)`;
    // Sat 24:00 is Sun 00:00: minutes wrap at the end of the week.
    return (day * 1440 + hour * 60 + minute) % WEEK;
}

function datedWindow(text: string, from: string, to: string, zone: string): DatedWindow | { problem: string } {
    const start = dateTime(from, false);
    if (typeof start === "string") return { problem: start };
    const end = dateTime(to, true);
    if (typeof end === "string") return { problem: end };
    if (compareLocal(start, end) >= 0) return { problem: `'${text}' ends before it starts` };
    return { kind: "dated", text, zone, start, end };
}

function dateTime(text: string, isEnd: boolean): LocalDateTime | string {
    const match = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}))?$/.exec(text);
    if (!match) return `'${text}' is not a date (YYYY-MM-DD) or a date and time (YYYY-MM-DD HH:MM)`;
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const date = new Date(Date.UTC(year, month - 1, day));
    if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return `'${text}' is not a date of the calendar`;
    if (match[4] === undefined) {
        if (!isEnd) return { year, month, day, hour: 0, minute: 0 };
        // The end day is part of the window: "until 2027-01-04" freezes the whole of the 4th.
        const next = new Date(Date.UTC(year, month - 1, day + 1));
        return { year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate(), hour: 0, minute: 0 };
    }
    const [hour, minute] = [Number(match[4]), Number(match[5])];
    if (hour > 23 || minute > 59) return `'${text}' is not a time of day (00:00 to 23:59)`;
    return { year, month, day, hour, minute };
}

export function compareLocal(a: LocalDateTime, b: LocalDateTime): number {
    return Date.UTC(a.year, a.month - 1, a.day, a.hour, a.minute) - Date.UTC(b.year, b.month - 1, b.day, b.hour, b.minute);
}
