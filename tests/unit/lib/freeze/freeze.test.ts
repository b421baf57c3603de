import { strict as assert } from "assert";
import { PinstackError } from "../../../../lib/errors";
import { currentTime, FreezeWindow, instantOf, isFrozen, parseWindow } from "../../../../lib/freeze";

function window(text: string): FreezeWindow {
    const parsed = parseWindow(text);
    if ("problem" in parsed) throw new Error(parsed.problem);
    return parsed;
}

function frozenAt(iso: string, ...texts: string[]) {
    return isFrozen(new Date(iso), texts.map(window));
}

const iso = (date: Date | undefined) => date?.toISOString().replace(".000Z", "Z");
const weekend = "Fri 16:00 - Mon 08:00 Europe/London";

describe("lib/freeze: windows", () => {
    it("a weekly window covers Friday 16:00 to Monday 08:00 on London's clocks, across the week end", () => {
        assert.equal(frozenAt("2026-12-11T15:59Z", weekend), undefined, "Friday 15:59 GMT");
        const friday = frozenAt("2026-12-11T16:00Z", weekend);
        assert.equal(friday?.name, weekend);
        assert.equal(iso(friday?.since), "2026-12-11T16:00:00Z");
        assert.equal(iso(friday?.until), "2026-12-14T08:00:00Z");
        assert.equal(iso(frozenAt("2026-12-13T23:59Z", weekend)?.until), "2026-12-14T08:00:00Z", "Sunday night");
        assert.equal(iso(frozenAt("2026-12-14T07:59Z", weekend)?.since), "2026-12-11T16:00:00Z", "Monday 07:59");
        assert.equal(frozenAt("2026-12-14T08:00Z", weekend), undefined, "Monday 08:00: the end is not frozen");
        assert.equal(frozenAt("2026-12-09T12:00Z", weekend), undefined, "Wednesday");
    });

    it("follows British Summer Time: 16:00 BST is 15:00 UTC", () => {
        assert.equal(frozenAt("2026-07-03T14:59Z", weekend), undefined);
        const summer = frozenAt("2026-07-03T15:00Z", weekend);
        assert.equal(iso(summer?.since), "2026-07-03T15:00:00Z");
        assert.equal(iso(summer?.until), "2026-07-06T07:00:00Z");
    });

    it("spans the clocks going forward (last Sunday of March) and back (last Sunday of October)", () => {
        const march = frozenAt("2026-03-29T12:00Z", weekend);
        assert.equal(iso(march?.since), "2026-03-27T16:00:00Z", "began on GMT");
        assert.equal(iso(march?.until), "2026-03-30T07:00:00Z", "ends on BST");
        const october = frozenAt("2026-10-25T01:30Z", weekend);
        assert.equal(iso(october?.since), "2026-10-23T15:00:00Z", "began on BST");
        assert.equal(iso(october?.until), "2026-10-26T08:00:00Z", "ends on GMT");
    });

    it("a window that starts in the hour the clocks skip starts at the jump", () => {
        const gap = "Sun 01:30 - Sun 03:00 Europe/London";
        assert.equal(frozenAt("2026-03-29T00:59Z", gap), undefined, "00:59 GMT");
        const atJump = frozenAt("2026-03-29T01:00Z", gap);
        assert.equal(iso(atJump?.since), "2026-03-29T01:00:00Z", "02:00 BST, just after the jump");
        assert.equal(iso(atJump?.until), "2026-03-29T02:00:00Z", "03:00 BST");
        assert.equal(iso(instantOf(2026, 10, 25, 1, 30, "Europe/London")), "2026-10-25T00:30:00Z", "a time shown twice: its first showing");
    });

    it("a weekly window may cross midnight", () => {
        const night = "Mon 22:00 - Tue 06:00 UTC";
        const tuesday = frozenAt("2026-12-08T01:00Z", night);
        assert.equal(iso(tuesday?.since), "2026-12-07T22:00:00Z");
        assert.equal(iso(tuesday?.until), "2026-12-08T06:00:00Z");
        assert.equal(frozenAt("2026-12-08T06:00Z", night), undefined);
        assert.equal(frozenAt("2026-12-07T21:59Z", night), undefined);
    });

    it("a dated window covers whole days, the end day included, across the year end", () => {
        const holidays = "2026-12-20 - 2027-01-04 Europe/London";
        assert.equal(frozenAt("2026-12-19T23:59Z", holidays), undefined);
        assert.equal(iso(frozenAt("2026-12-20T00:00Z", holidays)?.since), "2026-12-20T00:00:00Z");
        assert.equal(iso(frozenAt("2026-12-31T23:30Z", holidays)?.until), "2027-01-05T00:00:00Z", "new year's eve");
        assert.ok(frozenAt("2027-01-04T23:59Z", holidays), "the whole of the 4th");
        assert.equal(frozenAt("2027-01-05T00:00Z", holidays), undefined);
        const timed = frozenAt("2026-12-20T22:00Z", "2026-12-20 16:00 – 2027-01-04 08:00 America/New_York");
        assert.equal(iso(timed?.since), "2026-12-20T21:00:00Z", "16:00 EST");
        assert.equal(iso(timed?.until), "2027-01-04T13:00:00Z", "08:00 EST");
        assert.equal(iso(frozenAt("2027-01-01T10:00Z", "Thu 18:00 - Mon 09:00 UTC")?.since), "2026-12-31T18:00:00Z", "a weekly window across the year end");
    });

    it("names the window that ends last when several hold", () => {
        const both = frozenAt("2026-12-26T12:00Z", weekend, "2026-12-20 - 2027-01-04 Europe/London");
        assert.equal(both?.name, "2026-12-20 - 2027-01-04 Europe/London");
    });

    it("refuses windows it cannot read, saying why", () => {
        const problem = (text: string) => {
            const parsed = parseWindow(text);
            assert.ok("problem" in parsed, `${text} should not parse`);
            return parsed.problem;
        };
        assert.match(problem("Fri 16:00 - Mon 08:00 Europe/Londn"), /'Europe\/Londn' is not a known IANA time zone/);
        assert.match(problem("Fri 16:00 - Mon 08:00 +01:00"), /is not a known IANA time zone/);
        assert.match(problem("Fri 16:00 - Mon 08:00"), /not a known IANA time zone|names no time zone/);
        assert.match(problem("2026-12-20 - 2027-01-04"), /names no time zone/);
        assert.match(problem("Fry 16:00 - Mon 08:00 UTC"), /'Fry 16:00' is not a day and time/);
        assert.match(problem("Fri 25:00 - Mon 08:00 UTC"), /not a time of day/);
        assert.match(problem("2027-01-04 - 2026-12-20 UTC"), /ends before it starts/);
        assert.match(problem("2026-02-30 - 2026-03-02 UTC"), /not a date of the calendar/);
        assert.match(problem("Fri 16:00 - Fri 16:00 UTC"), /same time/);
        assert.match(problem("from Friday UTC"), /is not "<start> - <end> <zone>"/);
    });
});

describe("lib/freeze: ad-hoc freezes and the clock", () => {
    const adHoc = { reason: "incident #951", by: "ana@example.org", at: "2026-12-08T09:00:00Z", until: "2026-12-08T18:00:00Z" };

    it("an ad-hoc freeze holds from when it was set until its end, and is named before windows", () => {
        assert.equal(isFrozen(new Date("2026-12-08T08:59Z"), [], adHoc), undefined);
        const frozen = isFrozen(new Date("2026-12-08T12:00Z"), [window("Mon 00:00 - Wed 00:00 UTC")], adHoc);
        assert.deepEqual({ kind: frozen?.kind, by: frozen?.by, reason: frozen?.reason, until: iso(frozen?.until) }, { kind: "ad-hoc", by: adHoc.by, reason: adHoc.reason, until: adHoc.until });
        assert.equal(isFrozen(new Date("2026-12-08T18:00Z"), [], adHoc), undefined, "expired");
        assert.equal(isFrozen(new Date("2030-01-01T00:00Z"), [], { ...adHoc, until: undefined })?.until, undefined, "without an end: until cleared");
    });

    it("takes the time from --now, then PINSTACK_NOW, and refuses one that is not an ISO time with a zone", () => {
        assert.equal(iso(currentTime("2026-12-11T17:00:00Z", { PINSTACK_NOW: "2020-01-01T00:00:00Z" })), "2026-12-11T17:00:00Z");
        assert.equal(iso(currentTime(undefined, { PINSTACK_NOW: "2026-12-11T18:00+01:00" })), "2026-12-11T17:00:00Z");
        assert.ok(Math.abs(currentTime(undefined, {}).getTime() - Date.now()) < 5_000);
        for (const bad of ["2026-12-11 17:00", "tomorrow", "2026-12-11T17:00"]) {
            assert.throws(() => currentTime(undefined, { PINSTACK_NOW: bad }), (err: unknown) => err instanceof PinstackError && err.exitCode === 2 && /PINSTACK_NOW/.test(err.message));
        }
    });
});
