import { strict as assert } from "assert";
import { fitSections, Section } from "../../../lib/ci";
import { PinstackError } from "../../../lib/errors";

/** A small deterministic PRNG (mulberry32), so a failure names a reproducible seed. */
function random(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

function section(name: string, priority: number, rowLengths: readonly number[]): Section {
    return {
        priority,
        head: ["", `## ${name}`],
        tableHead: ["", "| a | b |", "| --- | --- |"],
        rows: rowLengths.map((length, i) => `| ${name}${i} | ${"x".repeat(length)} |`),
        empty: ["", `no ${name}`],
        omitted: (n) => `… and ${n} more ${name} rows not shown (a long explanation that is longer than a short row).`,
    };
}

const OMISSION = /^… and (\d+) more (\w+) rows not shown/;

function fullText(before: string[], sections: Section[], after: string[]): string {
    return fitSections(before, sections, after, Number.MAX_SAFE_INTEGER).text;
}

describe("lib/ci: fitting sections into a character budget", () => {
    const before = ["<!-- marker -->", "# title"];
    const after = ["", "footer"];

    it("keeps everything when it fits, to the exact character", () => {
        const sections = [section("pins", 0, [10, 20]), section("policy", 1, [30, 5, 5]), section("diff", 1, [15, 15, 15, 15])];
        const full = fullText(before, sections, after);
        const fitted = fitSections(before, sections, after, full.length);
        assert.equal(fitted.text, full);
        assert.deepEqual(fitted.dropped, [0, 0, 0]);
        assert.ok(fitSections(before, sections, after, full.length - 1).dropped.some((n) => n > 0), "one character less drops a row");
    });

    it("properties hold over many random documents and budgets: size, whole lines, row prefixes, counts", () => {
        for (let seed = 1; seed <= 300; seed++) {
            const rnd = random(seed);
            const lengths = (n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 300));
            const sections = [section("pins", 0, lengths(Math.floor(rnd() * 5))), section("policy", 1, lengths(Math.floor(rnd() * 40))), section("diff", 1, lengths(Math.floor(rnd() * 80)))];
            const full = fullText(before, sections, after);
            const minimum = fitMinimum(before, sections, after);
            const max = minimum + Math.floor(rnd() * (full.length - minimum + 50));
            const fitted = fitSections(before, sections, after, max);
            assert.ok(fitted.text.length <= max, `seed ${seed}: ${fitted.text.length} > ${max}`);
            const fullLines = new Set(full.split("\n"));
            for (const line of fitted.text.split("\n")) {
                assert.ok(fullLines.has(line) || OMISSION.test(line), `seed ${seed}: cut line ${JSON.stringify(line.slice(0, 60))}`);
            }
            sections.forEach((s, i) => {
                const shown = s.rows.filter((row) => fitted.text.includes(`${row}\n`));
                assert.deepEqual(shown, s.rows.slice(0, shown.length), `seed ${seed}: rows of ${i} are not a prefix`);
                assert.equal(fitted.dropped[i], s.rows.length - shown.length, `seed ${seed}`);
                const omission = fitted.text.split("\n").map((l) => OMISSION.exec(l)).find((m) => m && s.rows[0]?.startsWith(`| ${m[2]}`));
                assert.equal(omission ? Number(omission[1]) : 0, fitted.dropped[i], `seed ${seed}: omission count`);
            });
            if (max >= full.length) assert.equal(fitted.text, full, `seed ${seed}`);
        }
    });

    it("fills lower priorities first: the pin rows survive a budget the policy rows do not", () => {
        const sections = [section("pins", 0, [50, 50, 50]), section("policy", 1, Array(50).fill(50)), section("diff", 1, Array(50).fill(50))];
        const fitted = fitSections(before, sections, after, 1500);
        assert.equal(fitted.dropped[0], 0);
        assert.ok(fitted.dropped[1] > 0 && fitted.dropped[2] > 0);
    });

    it("shares the room between equal priorities row by row, so one long section cannot starve the other", () => {
        const sections = [section("pins", 0, []), section("policy", 1, Array(500).fill(40)), section("diff", 1, Array(500).fill(40))];
        const fitted = fitSections(before, sections, after, 10000);
        const keptPolicy = 500 - fitted.dropped[1];
        const keptDiff = 500 - fitted.dropped[2];
        assert.ok(keptPolicy > 50 && Math.abs(keptPolicy - keptDiff) <= 1, `${keptPolicy} / ${keptDiff}`);
    });

    it("ends a cut table with a blank line before the omission line (GFM would read it as a row)", () => {
        const sections = [section("pins", 0, Array(30).fill(40))];
        const lines = fitSections(before, sections, after, 800).text.split("\n");
        const i = lines.findIndex((l) => OMISSION.test(l));
        assert.equal(lines[i - 1], "");
        assert.match(lines[i - 2], /^\| pins\d+ \|/);
    });

    it("refuses a budget below the headings and omission lines (exit 2, saying how much is needed)", () => {
        const sections = [section("pins", 0, [10]), section("diff", 1, [10])];
        const minimum = fitMinimum(before, sections, after);
        assert.ok(fitSections(before, sections, after, minimum).text.length <= minimum);
        assert.throws(
            () => fitSections(before, sections, after, minimum - 1),
            (err: unknown) => err instanceof PinstackError && err.exitCode === 2 && err.fix === `use --max-chars ${minimum} or more (GitHub allows 65536)`,
        );
    });
});

/** The smallest budget fitSections accepts: every section with all rows dropped. */
function fitMinimum(before: string[], sections: Section[], after: string[]): number {
    const block = (lines: readonly string[]) => lines.reduce((sum, l) => sum + l.length + 1, 0);
    return block(before) + block(after) + sections.reduce((sum, s) => sum + block(s.head) + (s.rows.length ? block([s.omitted(s.rows.length)]) : block(s.empty)), 0);
}
