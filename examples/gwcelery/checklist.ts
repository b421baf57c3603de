/**
 * What people do on GWCelery's release issue, for the example's test: GitLab makes the issue
 * from the "Create a Release" template (release-checklist.md), and the release manager ticks
 * its boxes one by one. Reading the issue is not here: CI runs
 *
 *   pinstack ci acceptance-checklist --issue-json <GitLab's issue JSON> -o acceptance.json
 *   pinstack check -s production --gates acceptance.json
 */

const ITEM = /^\s*[-*]\s+\[([ xX])\]\s+(.*\S)\s*$/;

/** The release issue for `version`, made from the template (GitLab does this when "Create a Release" is chosen). */
export function releaseIssueFromTemplate(template: string, version: string): string {
    return template.replace(/^#\s+Release version MAJOR\.MINOR\.PATCH\s*$/m, `# Release version ${version}`);
}

/** Checks off the items whose line contains `match` (what the release manager does on the issue). */
export function checkOff(issue: string, match: string): string {
    return issue
        .split("\n")
        .map((line) => (ITEM.test(line) && line.includes(match) ? line.replace("[ ]", "[x]") : line))
        .join("\n");
}
