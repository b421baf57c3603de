import { schemes } from "../schemes";
import { isMutableTag } from "./no-mutable-tags";
import type { Finding, ImageSubject, Rule, RuleContext } from "./types";
import { describeImage } from "./types";

/** Rule `tag-scheme`: the declared scheme is allowed on the stack and the tag follows it. */
export const tagScheme: Rule = {
    id: "tag-scheme",
    description: "A service declares a tag scheme the stack allows (semver, calver, commit, pep440) and its tag follows it.",
    image(image: ImageSubject, context: RuleContext): Finding[] {
        if (image.scheme === undefined || image.container) return [];
        const subject = image.service ?? image.ref.name;
        const findings: Finding[] = [];
        if (!context.preset.allowedSchemes.includes(image.scheme)) {
            findings.push({
                subject,
                location: image.location,
                message: `${describeImage(image)} declares scheme '${image.scheme}', which ${context.stack} does not allow; declare one of ${context.preset.allowedSchemes.join(", ")} (scheme: in the service)`,
            });
        }
        const tag = image.ref.tag;
        // A mutable tag (latest, main) is reported by no-mutable-tags, which says what to do; saying
        // again that "latest" is not calver adds noise, not information.
        if (tag && !isMutableTag(tag)) {
            const scheme = schemes[image.scheme];
            const parsed = scheme.parse(tag);
            if (!parsed.ok) {
                findings.push({
                    subject,
                    location: image.tagLocation ?? image.location,
                    message: `${describeImage(image)}: tag '${tag}' does not follow ${scheme.description}: ${parsed.error}; tag the build as e.g. ${scheme.example}`,
                });
            }
        }
        return findings;
    },
};
