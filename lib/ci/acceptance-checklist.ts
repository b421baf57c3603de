import { badInput } from "../errors";
import type { GateResult } from "./gate-result";

/**
 * GWCelery's release acceptance checklist: the release issue made from the "Create a Release"
 * template, its task-list boxes ticked by the release manager. Read from the issue's markdown,
 * or from the JSON GitHub (`body`) or GitLab (`description`) return for an issue.
 */

export interface ChecklistItem {
    readonly text: string;
    readonly done: boolean;
    /** 1-based line in the issue text. */
    readonly line: number;
}

export interface IssueText {
    readonly text: string;
    /** e.g. "#42 Release version 2.1.3" or the file name, for the result's source. */
    readonly issue: string;
    readonly url?: string;
}

// `- [ ]`, `* [x]`, `+ [X]` and `1. [ ]`: what GitHub and GitLab render as task items.
const ITEM = /^\s*(?:[-*+]|\d+[.)])\s+\[([ xX])\]\s+(.*\S)\s*$/;

/**
 * The task items of an issue. Boxes inside fenced code or HTML comments are not items: issue
 * templates explain the syntax there, and a commented-out box must not count as open or done.
 */
export function checklistItems(markdown: string): ChecklistItem[] {
    const items: ChecklistItem[] = [];
    let fence: string | undefined;
    let inComment = false;
    markdown.split(/\r?\n/).forEach((raw, i) => {
        let line = raw;
        if (inComment) {
            const end = line.indexOf("-->");
            if (end < 0) return;
            inComment = false;
            line = line.slice(end + 3);
        }
        const fenceMatch = /^\s*(`{3,}|~{3,})/.exec(line);
        if (fenceMatch) {
            if (fence === undefined) fence = fenceMatch[1][0];
            else if (fenceMatch[1][0] === fence) fence = undefined;
            return;
        }
        if (fence !== undefined) return;
        line = line.replace(/<!--.*?-->/g, "");
        const open = line.indexOf("<!--");
        if (open >= 0) {
            inComment = true;
            line = line.slice(0, open);
        }
        const match = ITEM.exec(line);
        if (match) items.push({ text: match[2], done: match[1] !== " ", line: i + 1 });
    });
    return items;
}

/** The issue's text from an API answer: GitHub's `body` or GitLab's `description`. */
export function issueFromApiJson(json: string, file: string): IssueText {
    let value: unknown;
    try {
        value = JSON.parse(json);
    } catch (err) {
        throw badInput(`${file}: not JSON (${(err as Error).message})`, { fix: "pass the issue as the API returns it (gh api repos/O/R/issues/N, or GET /projects/:id/issues/:iid)" });
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw badInput(`${file}: an issue is a JSON object`);
    const issue = value as Record<string, unknown>;
    const text = typeof issue.body === "string" ? issue.body : typeof issue.description === "string" ? issue.description : undefined;
    if (text === undefined) {
        throw badInput(`${file}: the issue has no text (neither GitHub's "body" nor GitLab's "description" is a string)`, { location: { file, line: 0, column: 0, key: "body" } });
    }
    const number = issue.number ?? issue.iid;
    const title = typeof issue.title === "string" ? issue.title : "";
    const url = typeof issue.html_url === "string" ? issue.html_url : typeof issue.web_url === "string" ? issue.web_url : undefined;
    return { text, issue: `${typeof number === "number" ? `#${number} ` : ""}${title}`.trim() || file, ...(url ? { url } : {}) };
}

/**
 * Passed only when there is at least one item and every one is ticked: an issue with no boxes
 * (the wrong issue, or a template without a checklist) proves nothing, so it fails.
 */
export function acceptanceChecklistGate(issue: IssueText): GateResult {
    const items = checklistItems(issue.text);
    const open = items.filter((item) => !item.done);
    const source = { issue: issue.issue, ...(issue.url ? { url: issue.url } : {}), items: String(items.length), open: String(open.length) };
    if (items.length === 0) {
        return { gate: "acceptance-checklist", outcome: "failed", message: `${issue.issue}: no checklist items (- [ ] ...); is this the release issue?`, source, gates: { acceptanceComplete: false } };
    }
    if (open.length > 0) {
        const list = open.map((item) => `line ${item.line}: ${item.text}`).join("; ");
        return { gate: "acceptance-checklist", outcome: "failed", message: `${issue.issue}: ${open.length} of ${items.length} checklist items open: ${list}`, source, gates: { acceptanceComplete: false } };
    }
    return { gate: "acceptance-checklist", outcome: "passed", message: `${issue.issue}: all ${items.length} checklist items done`, source, gates: { acceptanceComplete: true } };
}
