import { Command } from "commander";
import { jsonLine } from "../../lib/format";
import { repositoryRoot } from "../../lib/history/git";
import { collectChanges, renderNotes, renderTicket } from "../../lib/release";

/** `pinstack notes <from> <to> [--ticket] [--json]`: release notes / the release ticket from git history. */
export function register(program: Command): void {
    program
        .command("notes")
        .description("release notes and the release ticket text from the git history between two tags")
        .argument("<from>", "the previous release tag, e.g. 2023.06.1")
        .argument("<to>", "the new release tag (or a commit), e.g. 2023.06.2")
        .option("--ticket", "print the release ticket ('Release <to>' and #N bullets) instead of the notes")
        .option("--json", "one JSON object per change: commit, title, refs, author, date")
        .addHelpText(
            "after",
            `
Examples:
  $ pinstack notes 2023.06.1 2023.06.2
  $ pinstack notes 2023.06.1 2023.06.2 --ticket     # Release 2023.06.2 / - Fix login #921

The history is read along the first parent of <to>: a merged pull request is one change,
titled by the pull request. Changelog bookkeeping commits are left out.
Exit 2 when a tag names no commit.`,
        )
        .action((from: string, to: string, options: { ticket?: boolean; json?: boolean }, command: Command) => {
            const dir: string = command.optsWithGlobals().dir;
            const root = repositoryRoot(dir);
            const notes = collectChanges(root, from, to);
            if (options.json) {
                process.stdout.write(notes.changes.map((c) => jsonLine(c)).join(""));
                return;
            }
            process.stdout.write(options.ticket ? renderTicket(notes) : renderNotes(notes));
        });
}
