import { strict as assert } from "assert";
import { PinstackError } from "../../../../lib/errors";
import { autoPart, bumpVersion, detectScheme, isoDate, parseDateOption } from "../../../../lib/release";

const june30 = new Date(Date.UTC(2023, 5, 30, 23, 59));
const july3 = new Date(Date.UTC(2023, 6, 3));

function badInput(fn: () => unknown, pattern: RegExp): void {
    assert.throws(fn, (err: unknown) => err instanceof PinstackError && err.exitCode === 2 && pattern.test(err.message));
}

describe("release/bump", () => {
    describe("semver (METASPACE)", () => {
        const cases: [string, "major" | "minor" | "patch", string][] = [
            ["1.7.5", "patch", "1.7.6"],
            ["1.7.5", "minor", "1.8.0"],
            ["1.7.5", "major", "2.0.0"],
            ["0.9.12", "minor", "0.10.0"],
            ["v2.1.3", "patch", "v2.1.4"],
        ];
        for (const [from, part, to] of cases) {
            it(`${part} ${from} -> ${to}`, () => {
                const result = bumpVersion(from, part);
                assert.equal(result.to, to);
                assert.equal(result.scheme, "semver");
            });
        }
        it("auto: a milestone feature or a breaking API change bumps minor, anything else patch", () => {
            assert.equal(autoPart({ milestone: true }), "minor");
            assert.equal(autoPart({ breaking: true }), "minor");
            assert.equal(autoPart({}), "patch");
        });
        it("rc and final with semver prereleases", () => {
            assert.equal(bumpVersion("1.2.3", "rc", { scheme: "semver" }).to, "1.2.4-rc.1");
            assert.equal(bumpVersion("1.2.4-rc.1", "rc").to, "1.2.4-rc.2");
            assert.equal(bumpVersion("1.2.4-beta.3", "rc").to, "1.2.4-rc.1");
            assert.equal(bumpVersion("1.2.4-rc.2", "final").to, "1.2.4");
        });
        it("refuses final on a final release and calver on semver", () => {
            badInput(() => bumpVersion("1.2.4", "final", { scheme: "semver" }), /already a final release/);
            badInput(() => bumpVersion("1.2.4", "calver", { scheme: "semver" }), /not a calendar version/);
        });
        it("refuses a partial or padded version", () => {
            badInput(() => bumpVersion("1.2", "patch", { scheme: "semver" }), /partial version/);
            badInput(() => bumpVersion("01.2.3", "patch", { scheme: "semver" }), /leading zero/);
        });
    });

    describe("release candidates (UKRDC, PEP 440)", () => {
        it("10.8.4 -> 10.8.5rc1 -> 10.8.5rc2 -> 10.8.5", () => {
            const rc1 = bumpVersion("10.8.4", "rc");
            assert.deepEqual([rc1.to, rc1.scheme], ["10.8.5rc1", "pep440"]);
            const rc2 = bumpVersion(rc1.to, "rc");
            assert.equal(rc2.to, "10.8.5rc2");
            assert.equal(bumpVersion(rc2.to, "final").to, "10.8.5");
        });
        it("reads UKRDC's spelling 10.8.5.RC1 and writes the normal form", () => {
            assert.equal(bumpVersion("10.8.5.RC1", "rc").to, "10.8.5rc2");
            assert.equal(bumpVersion("10.8.5.RC1", "final").to, "10.8.5");
        });
        it("an alpha or beta moves to rc1 of the same release", () => {
            assert.equal(bumpVersion("10.8.5b2", "rc").to, "10.8.5rc1");
        });
        it("patch of a candidate is its final; minor and major reset", () => {
            assert.equal(bumpVersion("10.8.5rc1", "patch").to, "10.8.5");
            assert.equal(bumpVersion("10.8.5rc1", "minor").to, "10.9.0");
            assert.equal(bumpVersion("10.8.5rc1", "major").to, "11.0.0");
        });
        it("refuses final on a final release", () => {
            badInput(() => bumpVersion("10.8.5", "final"), /already a final release/);
        });
    });

    describe("calver (Fragalysis)", () => {
        it("same month: next iteration", () => {
            const result = bumpVersion("2023.06.1", "calver", { now: june30 });
            assert.deepEqual([result.to, result.scheme], ["2023.06.2", "calver"]);
        });
        it("new month: iteration 1 of that month, month zero-padded", () => {
            assert.equal(bumpVersion("2023.06.2", "calver", { now: july3 }).to, "2023.07.1");
            assert.equal(bumpVersion("2022.12.4", "calver", { now: new Date(Date.UTC(2023, 0, 2)) }).to, "2023.01.1");
        });
        it("two-digit iterations keep counting", () => {
            assert.equal(bumpVersion("2023.06.9", "calver", { now: june30 }).to, "2023.06.10");
        });
        it("refuses a clock before the version's month", () => {
            badInput(() => bumpVersion("2023.07.1", "calver", { now: june30 }), /after the clock's 2023-06/);
        });
        it("refuses major/minor/rc on calver, and an unpadded month", () => {
            badInput(() => bumpVersion("2023.06.1", "major", { now: june30 }), /move with the clock/);
            badInput(() => bumpVersion("2023.06.1", "rc", { now: june30 }), /move with the clock/);
            badInput(() => bumpVersion("2023.6.1", "calver", { now: june30 }), /two digits/);
        });
    });

    describe("scheme detection", () => {
        it("calver first, then semver, then PEP 440 for rc/final", () => {
            assert.equal(detectScheme("2023.06.1"), "calver");
            assert.equal(detectScheme("1.7.5", "patch"), "semver");
            assert.equal(detectScheme("10.8.4", "rc"), "pep440");
            assert.equal(detectScheme("1.2.4-rc.1", "rc"), "semver");
            assert.equal(detectScheme("10.8.5rc1", "patch"), "pep440");
        });
        it("bad input for something that is no version", () => {
            badInput(() => detectScheme("latest"), /not a version pinstack can bump/);
            badInput(() => bumpVersion("1.2.3", "huge" as never), /unknown part/);
        });
    });

    describe("dates", () => {
        it("parses YYYY-MM-DD as midnight UTC and refuses impossible dates", () => {
            assert.equal(isoDate(parseDateOption("2023-06-30")), "2023-06-30");
            badInput(() => parseDateOption("2023-02-30"), /not a date/);
            badInput(() => parseDateOption("30/06/2023"), /not a date/);
        });
    });
});
