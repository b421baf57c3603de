import { badInput } from "../errors";
import { git } from "../history/git";
import { schemes } from "../schemes";
import type { BumpScheme } from "./bump";

/**
 * The newest release tag reachable from HEAD under a scheme (`bump` without a version).
 * Ordered by the scheme, not by date: a hotfix tag made later on an old branch does not win.
 */
export function latestVersionTag(dir: string, scheme: BumpScheme | undefined): { tag: string; scheme: BumpScheme } {
    const tags = git(dir, ["tag", "--merged", "HEAD"]).split("\n").map((t) => t.trim()).filter((t) => t !== "");
    const order: BumpScheme[] = scheme ? [scheme] : ["calver", "semver", "pep440"];
    for (const name of order) {
        const parser = name === "semver" ? schemes["semver-v"] : schemes[name];
        const valid = tags.filter((t) => parser.parse(t).ok);
        if (valid.length === 0) continue;
        valid.sort((a, b) => parser.compare(a, b));
        return { tag: valid[valid.length - 1], scheme: name };
    }
    throw badInput(`no ${scheme ?? "version"} tag is reachable from HEAD`, {
        fix: "give the current version: pinstack bump <part> <version>",
    });
}
