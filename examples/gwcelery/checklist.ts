/**
 * GWCelery's release acceptance checklist: the "Create a Release" issue template
 * (release-checklist.md) filled in as the release issue. Reading it is example code, not
 * pinstack: the checklist lives in GitLab, and CI (or the person running the manual production
 * job) turns it into the gate result pinstack's acceptance-checklist rule takes:
 *
 *   pinstack check -s production --strict-gates --gate acceptanceComplete=<complete>
 */

/** One `- [ ]` / `- [x]` item. */
export interface ChecklistItem {
    readonly text: string;
    readonly done: boolean;
    /** 1-based line in the issue text. */
    readonly line: number;
}

export interface Checklist {
    /** The issue's first `# ` heading, e.g. "Release version 2.1.3". */
    readonly title: string;
    readonly items: readonly ChecklistItem[];
    /** True only when there is at least one item and every item is checked. */
    readonly complete: boolean;
    /** The items still open, for the refusal message. */
    readonly open: readonly ChecklistItem[];
}

const ITEM = /^\s*[-*]\s+\[([ xX])\]\s+(.*\S)\s*$/;

/** Reads a markdown task list. An issue with no items is not complete: an empty template proves nothing. */
export function readChecklist(markdown: string): Checklist {
    const lines = markdown.split(/\r?\n/);
    const title = (lines.find((l) => /^#\s+/.test(l)) ?? "").replace(/^#\s+/, "").trim();
    const items: ChecklistItem[] = [];
    lines.forEach((line, i) => {
        const match = ITEM.exec(line);
        if (match) items.push({ text: match[2], done: match[1] !== " ", line: i + 1 });
    });
    const open = items.filter((item) => !item.done);
    return { title, items, complete: items.length > 0 && open.length === 0, open };
}

/** The release issue for `version`, made from the template (GitLab does this when "Create a Release" is chosen). */
export function releaseIssueFromTemplate(template: string, version: string): string {
    return template.replace(/^#\s+Release version MAJOR\.MINOR\.PATCH\s*$/m, `# Release version ${version}`);
}

/** Checks off the items whose text contains `match` (what the release manager does one by one on the issue). */
export function checkOff(issue: string, match: string): string {
    return issue
        .split("\n")
        .map((line) => (ITEM.test(line) && line.includes(match) ? line.replace("[ ]", "[x]") : line))
        .join("\n");
}
