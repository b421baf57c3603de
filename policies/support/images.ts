import type { ReportViolation } from "@pulumi/policy";
import type { Gates, RuleId, SchemeName } from "../../lib/model";
import { evaluateImage, ImageResult } from "../../lib/rules";
import { isUnknown } from "./known";
import type { PackContext } from "./settings";
import { ContainerImage, describeWorkload, Workload } from "./workloads";

/**
 * Runs lib's evaluateImage (the entry point `pinstack verify-image` uses) on a workload's
 * images and reports one rule's findings. Every image policy looks at the same images, so
 * results are cached per reference, scheme, service, preset and gates: the pack's cost is one
 * evaluation per distinct image, not one per policy.
 */

const CACHE_LIMIT = 10_000;
const cache = new Map<string, ImageResult>();

export interface ImageQuery {
    readonly reference: string;
    readonly service?: string;
    readonly scheme?: SchemeName;
    readonly gates?: Gates;
}

export function evaluateCached(context: PackContext, query: ImageQuery): ImageResult {
    const key = JSON.stringify([context.key, query.reference, query.service, query.scheme, query.gates]);
    const hit = cache.get(key);
    if (hit) return hit;
    const result = evaluateImage({ reference: query.reference, stack: context.stack, preset: context.preset, scheme: query.scheme, service: query.service, gates: query.gates });
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, result);
    return result;
}

/** What to check one container with: its scheme (main container only), the gates. */
export interface ImageCheck {
    readonly rule: RuleId;
    readonly context: PackContext;
    readonly scheme?: (container: ContainerImage) => SchemeName | undefined;
    readonly gates?: Gates;
    /** Replaces evaluateCached (a rule that needs a context evaluateImage does not give it). */
    readonly evaluate?: (query: ImageQuery) => ImageResult;
}

/**
 * Reports `check.rule`'s findings for every image of the workload. Fails closed: an image, or
 * a place that could hold containers, that is unknown during preview is reported, and so is a
 * reference that does not parse (a space around `latest`, a digest of the wrong length) — the
 * rule cannot vouch for what it cannot read.
 */
export function reportImageFindings(workload: Workload, check: ImageCheck, report: ReportViolation): void {
    for (const where of workload.unknownPaths) {
        report(`${describeWorkload(workload)}: ${where} cannot be known during preview, so ${check.rule} cannot check the images it holds; pass the images as plain values (or run \`pulumi up\`, which checks again with the values known)`);
    }
    for (const container of workload.containers) {
        const where = describeWorkload(workload, container);
        if (isUnknown(container.image)) {
            report(`${where}: the image cannot be known during preview, so ${check.rule} cannot check it; pin the image (tag and digest) in config so it is known before the update`);
            continue;
        }
        const query: ImageQuery = {
            reference: container.image,
            service: workload.service,
            scheme: check.scheme?.(container),
            gates: check.gates,
        };
        const result = check.evaluate ? check.evaluate(query) : evaluateCached(check.context, query);
        if (result.error !== undefined) {
            report(`${where}: ${JSON.stringify(container.image)} is not a valid image reference (${result.error}), so ${check.rule} cannot vouch for it; write repository:tag@sha256:<64 hex digits> without spaces`);
            continue;
        }
        for (const violation of result.violations) {
            if (violation.rule === check.rule) report(`${where}: ${violation.message}`);
        }
    }
}
