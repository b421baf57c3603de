import type { Finding, ImageSubject, Rule, RuleContext } from "./types";
import { describeImage } from "./types";

/** Rule `digest-required`: images carry a digest where the preset requires one. */
export const digestRequired: Rule = {
    id: "digest-required",
    description: "Where the stack requires it (production), every image is pinned by digest as well as tag.",
    image(image: ImageSubject, context: RuleContext): Finding[] {
        if (!context.preset.requireDigest || image.ref.digest) return [];
        return [
            {
                subject: image.service ?? image.ref.name,
                location: image.location,
                message: `${describeImage(image)} has no digest; ${context.stack} pins digests so a re-pushed tag cannot change what runs: promote with \`pinstack promote\` (it resolves the digest) or add digest: sha256:<64 hex>`,
            },
        ];
    },
};
