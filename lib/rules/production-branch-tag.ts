import { qualifiedName } from "../reference";
import type { Finding, ImageSubject, Rule, RuleContext } from "./types";
import { describeImage } from "./types";

/** The production-branch tags known for an image repository (matched as written or fully qualified). */
export function productionTagsFor(ref: { domain: string; path: string; name: string }, known: Readonly<Record<string, readonly string[]>>): readonly string[] | undefined {
    if (Object.prototype.hasOwnProperty.call(known, ref.name)) return known[ref.name];
    const full = qualifiedName(ref);
    for (const [repo, tags] of Object.entries(known)) {
        if (repo === full) return tags;
    }
    return undefined;
}

/** Rule `production-branch-tag` (Fragalysis): tags must be on the production branch, per the gates given. */
export const productionBranchTag: Rule = {
    id: "production-branch-tag",
    description: "Fragalysis: an image's tag must be one made on its repository's production branch.",
    image(image: ImageSubject, context: RuleContext): Finding[] {
        const known = context.gates.productionBranchTags;
        if (!known || !image.ref.tag) {
            if (context.strictGates && image.ref.tag) {
                return [{ subject: image.service ?? image.ref.name, location: image.tagLocation, message: `no production-branch tags were given for ${image.ref.name}; pass the tags of its production branch` }];
            }
            return [];
        }
        const tags = productionTagsFor(image.ref, known);
        if (tags === undefined) {
            return context.strictGates
                ? [{ subject: image.service ?? image.ref.name, location: image.tagLocation, message: `no production-branch tags were given for ${image.ref.name}; pass the tags of its production branch` }]
                : [];
        }
        if (tags.includes(image.ref.tag)) return [];
        return [
            {
                subject: image.service ?? image.ref.name,
                location: image.tagLocation ?? image.location,
                message: `${describeImage(image)}: tag '${image.ref.tag}' is not on the production branch of ${image.ref.name}; tag a commit on the production branch and pin that tag`,
            },
        ];
    },
};
