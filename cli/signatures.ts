import { badInput, PinstackError } from "../lib/errors";
import type { Level, SignatureRecord, StackConfig } from "../lib/model";
import type { StackPreset } from "../lib/presets";
import { registryTimeoutFromEnv, resolveTag } from "../lib/registry";
import type { ImageResult } from "../lib/rules";
import { signatureLevel, stackTrust, verifyImageSignature } from "../lib/signing";

/**
 * `verify-image --signatures`: each valid reference's signature, asked of its registry for the
 * digest it names (a tag is resolved first). A failure is a `signed-images` violation at the
 * stack's level — mandatory where the stack disables the rule, since the flag asks for it.
 */
export async function checkSignatures(
    results: readonly ImageResult[],
    config: StackConfig,
    preset: StackPreset,
    dir: string,
): Promise<{ results: ImageResult[]; records: (SignatureRecord | undefined)[] }> {
    const trust = config.signing ? stackTrust(config, { ...preset, levels: { ...preset.levels, "signed-images": "mandatory" } }, dir) : undefined;
    if (!trust) {
        throw badInput(`stack ${config.stack} names no trusted signing keys, so --signatures cannot verify anything`, {
            fix: `add pinstack:signing.keys (id and publicKey) to ${config.file}; see docs/signing.md`,
        });
    }
    const configured = signatureLevel(preset);
    const level: Level = configured === "disabled" ? "mandatory" : configured;
    const timeoutMs = registryTimeoutFromEnv();
    const now = new Date();
    const records: (SignatureRecord | undefined)[] = [];
    const out: ImageResult[] = [];
    for (const result of results) {
        if (result.error !== undefined || !result.ref) {
            out.push(result);
            records.push(undefined);
            continue;
        }
        const ref = result.ref;
        let message: string | undefined;
        let record: SignatureRecord | undefined;
        try {
            const digest = ref.digest || (await resolveTag(ref.name, ref.tag || "latest", { timeoutMs })).digest;
            const verdict = await verifyImageSignature(ref.name, digest, trust, now, { timeoutMs });
            if (verdict.ok) record = verdict.record;
            else message = verdict.message;
        } catch (err) {
            if (!(err instanceof PinstackError)) throw err;
            message = `signature not checked: ${err.what}`;
        }
        records.push(record);
        out.push(message ? { ...result, violations: [...result.violations, { rule: "signed-images", level, stack: config.stack, message }] } : result);
    }
    return { results: out, records };
}
