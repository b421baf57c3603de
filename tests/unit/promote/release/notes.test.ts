import { strict as assert } from "assert";
import * as fs from "fs";
import { PinstackError } from "../../../../lib/errors";
import { collectChanges, renderNotes, renderTicket } from "../../../../lib/release";
import { releaseRepository } from "../support/git";

describe("release/notes", () => {
    let repo: string;
    before(() => {
        repo = releaseRepository();
    });
    after(() => fs.rmSync(repo, { recursive: true, force: true }));

    it("collects the changes between two tags, a merged pull request as one change", () => {
        const notes = collectChanges(repo, "2023.06.1", "2023.06.2");
        assert.deepEqual(
            notes.changes.map((c) => [c.title, c.refs]),
            [
                ["Fix the login redirect", ["#921"]],
                ["Add dataset export", ["#922", "#7"]],
                ["Faster annotation search", ["#930"]],
                ["Tidy the README", []],
            ],
        );
        assert.match(notes.changes[0].commit, /^[0-9a-f]{40}$/);
        assert.equal(notes.changes[0].author, "Ada");
    });

    it("the release ticket: 'Release <to>' with #N bullets; unreferenced changes counted", () => {
        const ticket = renderTicket(collectChanges(repo, "2023.06.1", "2023.06.2"));
        assert.equal(
            ticket,
            [
                "Release 2023.06.2",
                "",
                "- Fix the login redirect #921",
                "- Add dataset export #922 #7",
                "- Faster annotation search #930",
                "",
                "(1 more change without a ticket reference; see `pinstack notes 2023.06.1 2023.06.2`)",
                "",
            ].join("\n"),
        );
    });

    it("the notes list every change with commit and author", () => {
        const text = renderNotes(collectChanges(repo, "2023.06.1", "2023.06.2"));
        assert.match(text, /^Release notes for 2023\.06\.2 \(changes since 2023\.06\.1\)\n\n/);
        assert.match(text, /^- Tidy the README \([0-9a-f]{7}, Ada\)$/m);
        assert.equal(text.split("\n").filter((l) => l.startsWith("- ")).length, 4);
    });

    it("no changes between equal tags", () => {
        const notes = collectChanges(repo, "2023.06.2", "2023.06.2");
        assert.equal(notes.changes.length, 0);
        assert.match(renderNotes(notes), /No changes\./);
    });

    it("bad input (exit 2) for a tag that names no commit", () => {
        assert.throws(() => collectChanges(repo, "2023.05.9", "2023.06.2"), (e: unknown) => e instanceof PinstackError && e.exitCode === 2 && /'2023\.05\.9' names no commit/.test(e.message));
        assert.throws(() => collectChanges(repo, "--all", "2023.06.2"), (e: unknown) => e instanceof PinstackError && e.exitCode === 2);
    });
});
