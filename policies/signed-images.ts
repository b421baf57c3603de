import type { StackValidationPolicy } from "@pulumi/policy";
import { rules } from "../lib/rules";
import { PackTrustedKey, trustFromPack } from "../lib/signing/keys";
import { pinUnderRule, readWorkloadPin } from "./support/pins";
import { withContext } from "./support/policy";
import { applies, configSchema } from "./support/settings";
import { ruleContext, servingWorkloads, stackView } from "./support/stack";
import { describeWorkload } from "./support/workloads";

const ISO_TIME = "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$";

export interface SignedImagesConfig {
    /**
     * The keys production trusts, as CI's pack config names them (id and key digest; the pack
     * checks what `pinstack promote` verified and recorded, it cannot reach a registry). Absent:
     * the project trusts no keys yet and signatures are not judged; an empty list refuses every pin.
     */
    readonly trustedKeys?: readonly PackTrustedKey[];
}

/**
 * lib rule `signed-images` on what the stack deploys. Every serving workload's pin must carry,
 * in its sealed provenance annotations, a signature record for the digest of each image its
 * pod runs — main, init containers, sidecars — by a key in `trustedKeys` that was valid when
 * promote verified it. A record copied from another pin, edited, or for another digest fails.
 */
export const signedImages: StackValidationPolicy = {
    name: "signed-images",
    description:
        "Production runs only images whose cosign signature by a trusted key `pinstack promote` verified and recorded. " +
        "Sign each image in CI (cosign sign --key), then promote it: `pinstack promote staging production --service <name> --reason \"...\"`.",
    enforcementLevel: "mandatory",
    configSchema: configSchema({
        trustedKeys: {
            type: "array",
            description: "Trusted signing keys: id, keyDigest (sha256 of the DER public key: `openssl pkey -pubin -in cosign.pub -outform DER | sha256sum`), optional notBefore/notAfter (ISO-8601).",
            items: {
                type: "object",
                additionalProperties: false,
                required: ["id", "keyDigest"],
                properties: {
                    id: { type: "string", minLength: 1 },
                    keyDigest: { type: "string", pattern: "^sha256:[0-9a-f]{64}$" },
                    notBefore: { type: "string", pattern: ISO_TIME },
                    notAfter: { type: "string", pattern: ISO_TIME },
                },
            },
        },
    }),
    validateStack: (args, report) => {
        withContext<SignedImagesConfig>(args, report, (context, config) => {
            if (!applies(context, "signed-images") || config.trustedKeys === undefined) return;
            const trust = trustFromPack(config.trustedKeys, "the policy pack's signed-images.trustedKeys");
            const view = stackView(args.resources);
            for (const { urn, workload } of servingWorkloads(view)) {
                const where = describeWorkload(workload);
                const reading = readWorkloadPin(workload);
                if (!reading.ok) {
                    report(`${where} ${reading.problem}; ${context.stack} runs only signed images recorded by \`pinstack promote\``, urn);
                    continue;
                }
                const findings = rules["signed-images"].service!(pinUnderRule(workload.service, reading.pin), { ...ruleContext(context), trust });
                for (const finding of findings) report(`${where}: ${finding.message}`, urn);
            }
        });
    },
};

