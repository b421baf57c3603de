import { pinnedImages, recordedSignatureProblems } from "../signing/records";
import { serviceSubject, verifySeal } from "../provenance";
import type { Finding, Rule, RuleContext, ServiceUnderRule } from "./types";

/**
 * Rule `signed-images`: every image a pin runs has a signature by a trusted key, as
 * `pinstack promote` verified against the registry and recorded, sealed, in the provenance.
 * Judged only where the caller knows the stack's trust (context.trust): `pinstack check`
 * from `pinstack:signing`, the policy pack from its own config.
 */
export const signedImages: Rule = {
    id: "signed-images",
    description: "Every image a pin runs (main, init containers, sidecars) was verified by `pinstack promote` to carry a cosign signature by a trusted key, recorded in its sealed provenance.",
    service(pin: ServiceUnderRule, context: RuleContext): Finding[] {
        if (!context.trust) return [];
        const images = pinnedImages(pin);
        const problems =
            pin.provenance && pin.provenance.signatures?.length && !verifySeal(serviceSubject(pin), pin.provenance)
                ? [`service ${pin.name} has signature records under a seal that does not match the pin, so they cannot be trusted`]
                : recordedSignatureProblems(images, pin.provenance, context.trust);
        return problems.map((problem) => ({
            subject: pin.name,
            location: pin.fieldLocations?.provenance ?? pin.location,
            message: `${problem}; ${context.stack} takes signed images only: sign them in CI (cosign sign --key), then \`pinstack promote <from> ${context.stack} --service ${pin.name} --reason "..."\` verifies and records the signatures`,
        }));
    },
};
