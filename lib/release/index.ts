/** Release versions, the change log and release notes: the bookkeeping around a promotion. */
export { autoPart, BumpOptions, BumpPart, bumpParts, BumpResult, BumpScheme, bumpSchemes, bumpVersion, detectScheme, isoDate, parseDateOption } from "./bump";
export { ChangelogFormat, formatOf, NO_CHANGES, releaseChangelog, ReleaseOptions, ReleaseResult } from "./changelog";
export { collectChanges, ReleaseChange, ReleaseNotes, renderNotes, renderTicket } from "./notes";
export { latestVersionTag } from "./tags";
