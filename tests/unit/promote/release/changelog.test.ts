import { strict as assert } from "assert";
import { PinstackError } from "../../../../lib/errors";
import { formatOf, releaseChangelog } from "../../../../lib/release";

// Shaped like GWCelery's CHANGES.rst: a document title, then version sections underlined
// with '-', list items written "-   text".
const RST = `Changelog
=========

2.1.3 (unreleased)
------------------

-   Fix a race in the superevent manager.

-   Add a playground-only alert channel.

2.1.2 (2023-05-01)
------------------

-   Update dependencies.
`;

const MD = `# Changelog

All notable changes to this project.

## 2.1.3 (unreleased)

- Fix a race in the superevent manager. (#512)

## 2.1.2 (2023-05-01)

- Update dependencies.
`;

function refusedWith(fn: () => unknown, pattern: RegExp): void {
    assert.throws(fn, (err: unknown) => err instanceof PinstackError && err.exitCode === 1 && pattern.test(err.message));
}

describe("release/changelog (GWCelery's flow)", () => {
    it("CHANGES.rst: dates the unreleased section and opens the next one, changing nothing else", () => {
        const result = releaseChangelog(RST, "rst", { version: "2.1.3", date: "2023-06-30" });
        assert.equal(
            result.text,
            `Changelog
=========

2.1.4 (unreleased)
------------------

-   No changes yet

2.1.3 (2023-06-30)
------------------

-   Fix a race in the superevent manager.

-   Add a playground-only alert channel.

2.1.2 (2023-05-01)
------------------

-   Update dependencies.
`,
        );
        assert.equal(result.next, "2.1.4");
        assert.equal(result.text.split("\n")[result.line - 1], "2.1.3 (2023-06-30)");
    });

    it("CHANGELOG.md: ATX headings, the file's own bullet, --next honoured", () => {
        const result = releaseChangelog(MD, "md", { version: "v2.1.3", date: "2023-06-30", next: "2.2.0" });
        assert.equal(
            result.text,
            `# Changelog

All notable changes to this project.

## 2.2.0 (unreleased)

- No changes yet

## 2.1.3 (2023-06-30)

- Fix a race in the superevent manager. (#512)

## 2.1.2 (2023-05-01)

- Update dependencies.
`,
        );
    });

    it("keeps CRLF line endings and RST overlines, and fits the underline to the title", () => {
        const text = ["=================", "10.0.0 (unreleased)", "=================", "", "* Big change.", ""].join("\r\n");
        const result = releaseChangelog(text, "rst", { version: "10.0.0", date: "2024-01-02" });
        assert.equal(
            result.text,
            ["===================", "10.0.1 (unreleased)", "===================", "", "* No changes yet", "", "===================", "10.0.0 (2024-01-02)", "===================", "", "* Big change.", ""].join("\r\n"),
        );
    });

    it("refuses when there is no unreleased section", () => {
        const released = RST.replace("2.1.3 (unreleased)", "2.1.3 (2023-06-01)");
        refusedWith(() => releaseChangelog(released, "rst", { version: "2.1.4", date: "2023-06-30" }), /no unreleased section: its newest section is 2\.1\.3 \(2023-06-01\)/);
        refusedWith(() => releaseChangelog("Changelog\n=========\n\nNothing yet.\n", "rst", { version: "1.0.0", date: "2023-06-30" }), /has no version sections/);
    });

    it("refuses when the unreleased section's version disagrees, naming the line", () => {
        assert.throws(
            () => releaseChangelog(RST, "rst", { version: "2.2.0", date: "2023-06-30" }, "CHANGES.rst"),
            (err: unknown) => err instanceof PinstackError && err.exitCode === 1 && /unreleased section is 2\.1\.3, not 2\.2\.0/.test(err.message) && err.location?.line === 4,
        );
    });

    it("refuses a section that still says No changes yet", () => {
        const empty = releaseChangelog(RST, "rst", { version: "2.1.3", date: "2023-06-30" }).text;
        refusedWith(() => releaseChangelog(empty, "rst", { version: "2.1.4", date: "2023-07-30" }), /lists no changes/);
    });

    it("bad input for a version or date that is not one", () => {
        assert.throws(() => releaseChangelog(RST, "rst", { version: "next", date: "2023-06-30" }), (e: unknown) => e instanceof PinstackError && e.exitCode === 2);
        assert.throws(() => releaseChangelog(RST, "rst", { version: "2.1.3", date: "June 30" }), (e: unknown) => e instanceof PinstackError && e.exitCode === 2);
    });

    it("format from the file name", () => {
        assert.equal(formatOf("CHANGES.rst"), "rst");
        assert.equal(formatOf("docs/CHANGELOG.md"), "md");
    });
});
