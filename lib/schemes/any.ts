import { tagProblem } from "../reference";
import type { TagScheme } from "./types";

/** Any valid tag (playground, or services that version some other way). No order beyond lexical, no prereleases. */
export const any: TagScheme<{ readonly value: string }> = {
    name: "any",
    description: "any valid tag",
    example: "build-42",
    ordered: false,
    parse(value) {
        const problem = tagProblem(value);
        return problem ? { ok: false, error: problem } : { ok: true, version: { value } };
    },
    compare: (a, b) => (a === b ? 0 : a < b ? -1 : 1),
    isPrerelease: () => false,
    hasBuildMetadata: () => false,
};
