import type { DatedWindow, FreezeWindow, WeeklyWindow } from "./windows";
import { instantOf, localTimeAt } from "./zone";

/** An ad-hoc freeze (`pinstack freeze <stack>`), recorded in `pinstack:freeze.active` like a hold. */
export interface AdHocFreeze {
    readonly reason: string;
    readonly by: string;
    /** ISO time it was set. */
    readonly at: string;
    /** ISO time it ends by itself; absent: until `pinstack freeze --clear`. */
    readonly until?: string;
}

/** Why a stack is frozen now. */
export interface Freeze {
    readonly kind: "window" | "ad-hoc";
    /** The window's text, or "ad-hoc freeze". */
    readonly name: string;
    /** When this freeze (this occurrence of a weekly window) began. */
    readonly since: Date;
    /** When it ends by itself; undefined for an ad-hoc freeze without --until (only --clear ends it). */
    readonly until?: Date;
    readonly by?: string;
    readonly reason?: string;
}

const WEEK = 7 * 1440;

/**
 * Whether `now` falls in a freeze, and which one. An ad-hoc freeze is named first (it has a
 * person and a reason); among windows the one that ends last, since that is when changes may
 * resume. `until` of an overlapping later window is not chained: each freeze says its own end.
 */
export function isFrozen(now: Date, windows: readonly FreezeWindow[], adHoc?: AdHocFreeze): Freeze | undefined {
    if (adHoc) {
        const since = new Date(adHoc.at);
        const until = adHoc.until !== undefined ? new Date(adHoc.until) : undefined;
        if (since.getTime() <= now.getTime() && (until === undefined || now.getTime() < until.getTime())) {
            return { kind: "ad-hoc", name: "ad-hoc freeze", since, until, by: adHoc.by, reason: adHoc.reason };
        }
    }
    let found: Freeze | undefined;
    for (const window of windows) {
        const hit = window.kind === "weekly" ? inWeekly(now, window) : inDated(now, window);
        if (hit && (!found || (found.until && hit.until && hit.until.getTime() > found.until.getTime()))) found = hit;
    }
    return found;
}

function inDated(now: Date, window: DatedWindow): Freeze | undefined {
    const since = instantAt(window.start, window.zone);
    const until = instantAt(window.end, window.zone);
    if (now.getTime() < since.getTime() || now.getTime() >= until.getTime()) return undefined;
    return { kind: "window", name: window.text, since, until };
}

/**
 * Judged on the zone's wall clock: "Fri 16:00 - Mon 08:00 Europe/London" is 16:00 on the
 * clocks in London whatever the season, so the window is an hour shorter or longer on the
 * weekends the clocks change, as the people keeping it would expect.
 */
function inWeekly(now: Date, window: WeeklyWindow): Freeze | undefined {
    const local = localTimeAt(now, window.zone);
    const minute = local.weekday * 1440 + local.hour * 60 + local.minute;
    const length = (window.end - window.start + WEEK) % WEEK;
    const intoWindow = (minute - window.start + WEEK) % WEEK;
    if (intoWindow >= length) return undefined;
    const today = { year: local.year, month: local.month, day: local.day };
    const since = wallClockAt(today, local.hour * 60 + local.minute - intoWindow, window.zone);
    const until = wallClockAt(today, local.hour * 60 + local.minute - intoWindow + length, window.zone);
    return { kind: "window", name: window.text, since, until };
}

/** The instant the zone's clocks show `minutes` past 00:00 of `day` (minutes may leave the day). */
function wallClockAt(day: { year: number; month: number; day: number }, minutes: number, zone: string): Date {
    const shifted = addDays(day, Math.floor(minutes / 1440));
    const rest = ((minutes % 1440) + 1440) % 1440;
    return instantOf(shifted.year, shifted.month, shifted.day, Math.floor(rest / 60), rest % 60, zone);
}

function addDays(day: { year: number; month: number; day: number }, days: number): { year: number; month: number; day: number } {
    const date = new Date(Date.UTC(day.year, day.month - 1, day.day + days));
    return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

function instantAt(at: { year: number; month: number; day: number; hour: number; minute: number }, zone: string): Date {
    return instantOf(at.year, at.month, at.day, at.hour, at.minute, zone);
}
