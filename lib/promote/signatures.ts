import { PinstackError } from "../errors";
import type { Level, SignatureRecord, StackConfig, Violation } from "../model";
import { artifactOfEntry } from "../pin";
import { pinnedImages, SignatureVerdict, Trust, verifyImageSignature } from "../signing";
import { refusal } from "./common";

/**
 * The signature step of a promotion: every image a promoted pin will run (its own, its init
 * containers' and sidecars', the target's own included) is verified against the registry
 * before anything is written. Where the target requires signatures (signed-images mandatory)
 * one failure refuses the promotion, naming each image and why; where it advises, failures are
 * warnings and the pin is written without a record for that image.
 */

/** Verifies one image's signature; injected so tests and the benchmark choose the registry options. */
export type SignatureVerifier = (image: string, digest: string, trust: Trust, now: Date) => Promise<SignatureVerdict>;

/** The default verifier: the registry client with its default deadline. */
export const registryVerifier: SignatureVerifier = (image, digest, trust, now) => verifyImageSignature(image, digest, trust, now);

/** Registry requests in flight at once: a promotion of many pins should not take one round trip per image in a row. */
const CONCURRENCY = 8;

export interface SignatureOutcome {
    readonly trust: Trust;
    /** Per service, its verified images in pod order (main, init containers, sidecars). */
    readonly records: ReadonlyMap<string, readonly SignatureRecord[]>;
    readonly warnings: readonly Violation[];
}


export async function verifyPromotedImages(
    target: StackConfig,
    level: Level,
    trust: Trust,
    entries: readonly { readonly name: string; readonly raw: Readonly<Record<string, unknown>> }[],
    now: Date,
    verifier: SignatureVerifier,
): Promise<SignatureOutcome> {
    const jobs = entries.flatMap((entry) => pinnedImages({ name: entry.name, ...artifactOfEntry(entry.raw) }).map((image) => ({ service: entry.name, image })));
    const results = await inPool(jobs, CONCURRENCY, async ({ image }): Promise<{ record?: SignatureRecord; problem?: string }> => {
        if (!image.digest) return { problem: `${image.what} (${image.image}) pins no digest, so its signature cannot be checked` };
        try {
            const verdict = await verifier(image.image, image.digest, trust, now);
            return verdict.ok ? { record: verdict.record } : { problem: `${image.what}: ${verdict.message}` };
        } catch (err) {
            // The registry could not be asked or cannot be trusted: the image is not verified.
            if (err instanceof PinstackError) return { problem: `${image.what}: signature not checked: ${err.what}` };
            throw err;
        }
    });
    const problems = results.flatMap((r) => (r.problem ? [r.problem] : []));
    if (problems.length > 0 && level === "mandatory") {
        throw refusal(
            `cannot promote to ${target.stack}: it takes signed images only, and ${problems.length === 1 ? "one is not" : `${problems.length} are not`}`,
            problems,
            `sign each image in CI with a key ${trust.where} trusts (cosign sign --key ... <image>@<digest>); nothing was written`,
        );
    }
    const records = new Map<string, SignatureRecord[]>();
    jobs.forEach((job, i) => {
        const record = results[i].record;
        if (record) records.set(job.service, [...(records.get(job.service) ?? []), record]);
    });
    const warnings: Violation[] = jobs.flatMap((job, i) => {
        const problem = results[i].problem;
        return problem ? [{ rule: "signed-images" as const, level: "advisory" as const, stack: target.stack, subject: job.service, message: problem }] : [];
    });
    return { trust, records, warnings };
}

/** `run` over `items`, at most `limit` at a time; results in the order of the items. */
async function inPool<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
    const out: R[] = new Array(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const i = next++;
            out[i] = await run(items[i]);
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return out;
}
