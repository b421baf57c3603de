import { strict as assert } from "assert";
import { PinstackError } from "../../../../lib/errors";
import { isSchemeName, looksLikePrerelease, schemeFor, schemes } from "../../../../lib/schemes";

function accepts(name: keyof typeof schemes, values: string[]) {
    for (const value of values) {
        it(`accepts ${JSON.stringify(value)}`, () => {
            const parsed = schemes[name].parse(value);
            assert.ok(parsed.ok, parsed.ok ? "" : parsed.error);
        });
    }
}

function refuses(name: keyof typeof schemes, cases: [string, RegExp][]) {
    for (const [value, reason] of cases) {
        it(`refuses ${JSON.stringify(value)} (${reason.source})`, () => {
            const parsed = schemes[name].parse(value);
            assert.equal(parsed.ok, false);
            if (!parsed.ok) assert.match(parsed.error, reason);
        });
    }
}

function sorts(name: keyof typeof schemes, ascending: string[]) {
    it(`orders ${ascending.join(" < ")}`, () => {
        for (let i = 0; i < ascending.length; i++) {
            for (let j = 0; j < ascending.length; j++) {
                const got = Math.sign(schemes[name].compare(ascending[i], ascending[j]));
                assert.equal(got, Math.sign(i - j), `${ascending[i]} vs ${ascending[j]}`);
            }
        }
    });
}

describe("lib/schemes: semver (strict)", () => {
    accepts("semver", ["0.0.0", "1.4.2", "10.20.30", "1.4.2-rc.1", "1.4.2-alpha", "1.0.0-0.3.7", "1.4.2+build.5", "1.4.2-rc.1+sha.5114f85"]);
    refuses("semver", [
        ["1.2", /partial version.*1\.2\.0/],
        ["1", /partial version/],
        ["01.2.3", /leading zero in '01'; write 1\.2\.3/],
        ["1.02.3", /leading zero/],
        ["v1.2.3", /'v' prefix; write 1\.2\.3/],
        ["=1.2.3", /starts with '='/],
        [" 1.2.3", /whitespace/],
        ["1.2.3 ", /whitespace/],
        ["1.2.3-01", /invalid prerelease/],
        ["1.2.3.4", /not MAJOR\.MINOR\.PATCH/],
        ["latest", /not MAJOR\.MINOR\.PATCH/],
        ["", /empty/],
    ]);
    sorts("semver", ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.10.0", "2.0.0"]);
    it("knows prereleases and build metadata", () => {
        assert.equal(schemes.semver.isPrerelease("1.4.2-rc.1"), true);
        assert.equal(schemes.semver.isPrerelease("1.4.2"), false);
        assert.equal(schemes.semver.isPrerelease("1.2"), false, "invalid values are not prereleases");
        assert.equal(schemes.semver.hasBuildMetadata("1.4.2+build.5"), true);
        assert.equal(schemes.semver.hasBuildMetadata("1.4.2"), false);
    });
    it("compare throws a bad-input error naming the scheme for invalid values", () => {
        assert.throws(() => schemes.semver.compare("1.2", "1.2.0"), (err: unknown) => err instanceof PinstackError && err.exitCode === 2 && /not a semver version/.test(err.message));
    });
});

describe("lib/schemes: semver-v (v allowed)", () => {
    accepts("semver-v", ["v1.4.2", "1.4.2", "V2.0.0-rc.1"]);
    refuses("semver-v", [["v1.2", /partial/], ["v01.2.3", /leading zero/]]);
    it("orders v-prefixed and bare tags together", () => {
        assert.ok(schemes["semver-v"].compare("v1.4.2", "1.4.3") < 0);
        assert.equal(schemes["semver-v"].compare("v1.4.2", "1.4.2"), 0);
    });
});

describe("lib/schemes: calver YYYY.MM.N", () => {
    accepts("calver", ["2023.06.1", "2023.12.14", "2026.01.1", "1999.10.200"]);
    refuses("calver", [
        ["2023.6.1", /month '6' .* two digits.*write 2023\.06\.1/],
        ["2023.13.1", /month '13' .* not a month/],
        ["2023.00.1", /month '00' .* not a month/],
        ["2023.06.0", /starts at 1/],
        ["2023.06.01", /leading zero.*write 2023\.06\.1/],
        ["23.06.1", /year '23'/],
        ["0023.06.1", /year/],
        ["2023.06", /not YYYY\.MM\.N/],
        ["2023.06.1.2", /not YYYY\.MM\.N/],
        ["2023.06.1-rc1", /not YYYY\.MM\.N/],
        ["2023-06-1", /not YYYY\.MM\.N/],
        ["", /empty/],
        ["2023.06.1 ", /whitespace/],
    ]);
    sorts("calver", ["2023.04.2", "2023.05.1", "2023.05.4", "2023.05.10", "2023.06.1", "2024.01.1"]);
    it("has no prereleases", () => {
        assert.equal(schemes.calver.isPrerelease("2023.06.1"), false);
    });
});

describe("lib/schemes: commit", () => {
    accepts("commit", ["3f2a9c1", "0123456789abcdef0123456789abcdef01234567"]);
    refuses("commit", [
        ["3f2a9c", /6 digits; use at least 7/],
        ["3F2A9C1", /must be lowercase; write 3f2a9c1/],
        ["0123456789abcdef0123456789abcdef012345678", /41 digits/],
        ["3f2a9cg", /not a commit hash/],
        ["main", /not a commit hash/],
    ]);
    it("treats an abbreviation as the same commit and has no order otherwise", () => {
        assert.equal(schemes.commit.ordered, false);
        assert.equal(schemes.commit.compare("3f2a9c1", "3f2a9c1d0e"), 0);
        assert.notEqual(schemes.commit.compare("3f2a9c1", "4f2a9c1"), 0);
        assert.equal(schemes.commit.isPrerelease("3f2a9c1"), false);
    });
});

describe("lib/schemes: pep440 (package pins)", () => {
    accepts("pep440", ["10.8.5", "10.8.5rc1", "10.8.5.RC1", "10.8.5-rc.1", "10.8.5RC1", "10.8.5a1", "10.8.5b2", "10.8.5.post1", "10.8.5.dev3", "10.8", "1"]);
    refuses("pep440", [
        ["v10.8.5", /'v' prefix/],
        ["10.8.5+local", /local version/],
        ["1!10.8.5", /epoch/],
        ["010.8.5", /leading zero/],
        ["10.8.5rcx", /not a version/],
        [">=10.8", /not a version/],
        ["", /empty/],
    ]);
    it("reads 10.8.5rc1, 10.8.5.RC1 and 10.8.5-rc.1 as the same release candidate of 10.8.5", () => {
        for (const v of ["10.8.5rc1", "10.8.5.RC1", "10.8.5-rc.1"]) {
            assert.equal(schemes.pep440.isPrerelease(v), true, v);
            assert.equal(schemes.pep440.compare(v, "10.8.5rc1"), 0, v);
            assert.ok(schemes.pep440.compare(v, "10.8.5") < 0, `${v} < 10.8.5`);
            const parsed = schemes.pep440.parse(v);
            assert.ok(parsed.ok && (parsed.version as { normalized: string }).normalized === "10.8.5rc1");
        }
        assert.equal(schemes.pep440.isPrerelease("10.8.5"), false);
        assert.equal(schemes.pep440.isPrerelease("10.8.5.dev1"), true);
        assert.equal(schemes.pep440.isPrerelease("10.8.5.post1"), false);
    });
    sorts("pep440", ["10.8.4", "10.8.5.dev1", "10.8.5a1", "10.8.5b1", "10.8.5rc1", "10.8.5rc2", "10.8.5", "10.8.5.post1", "10.9.0"]);
});

describe("lib/schemes: any and the registry", () => {
    accepts("any", ["latest", "build-42", "2023.6.1"]);
    refuses("any", [["latest ", /space/], [".x", /must start/]]);
    it("registers every scheme name of the model", () => {
        for (const name of ["semver", "semver-v", "calver", "commit", "pep440", "any"]) {
            assert.ok(isSchemeName(name));
            assert.equal(schemeFor(name)?.name, name);
        }
        assert.equal(isSchemeName("lexical"), false);
        assert.equal(schemeFor("toString"), undefined);
    });
    it("looksLikePrerelease recognises release candidates of any scheme", () => {
        assert.equal(looksLikePrerelease("1.2.3-rc.1"), true);
        assert.equal(looksLikePrerelease("10.8.5rc1"), true);
        assert.equal(looksLikePrerelease("1.2.3+build.1", ["semver"]), true);
        assert.equal(looksLikePrerelease("2023.06.1"), false);
        assert.equal(looksLikePrerelease("1.2.3"), false);
        assert.equal(looksLikePrerelease("10.8.5rc1", ["semver", "calver"]), false, "only the named schemes are asked");
    });
});
