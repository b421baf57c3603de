import { EXTRA_CONTAINER_LISTS, type Gates, type Level, type RuleId, type SchemeName, type ServicePin, type StackConfig, type Violation } from "../model";
import { ImageReference, parseReference, parseRepositoryName } from "../reference";
import { pinReference } from "../pin";
import { effectivePreset, type StackPreset } from "../presets";
import { acceptanceChecklist } from "./acceptance-checklist";
import { digestRequired } from "./digest-required";
import { exactPackagePins } from "./exact-package-pins";
import { holdRule } from "./hold";
import type { EarlierPins } from "./hold-pins";
import { immutableRepositories } from "./immutable-repositories";
import { loadTestGate } from "./load-test-gate";
import { noMutableTags } from "./no-mutable-tags";
import { noPrereleases } from "./no-prereleases";
import { productionBranchTag } from "./production-branch-tag";
import { provenanceRule } from "./provenance";
import { registryAllowedRule } from "./registry-allowed";
import { signedImages } from "./signed-images";
import { tagScheme } from "./tag-scheme";
import type { Trust } from "../signing/keys";
import type { Finding, ImageSubject, Rule, RuleContext } from "./types";

/** Every rule by id, in the order findings are reported. */
export const rules: Readonly<Record<RuleId, Rule>> = {
    "no-mutable-tags": noMutableTags,
    "tag-scheme": tagScheme,
    "no-prereleases": noPrereleases,
    "digest-required": digestRequired,
    "registry-allowed": registryAllowedRule,
    "exact-package-pins": exactPackagePins,
    "provenance": provenanceRule,
    "hold": holdRule,
    "load-test-gate": loadTestGate,
    "acceptance-checklist": acceptanceChecklist,
    "production-branch-tag": productionBranchTag,
    "immutable-repositories": immutableRepositories,
    "signed-images": signedImages,
};

/** Rule ids in report order. */
export const ruleIds = Object.keys(rules) as RuleId[];

/** Options for evaluateStack. */
export interface EvaluateOptions {
    /** Gate results handed in by CI; merged over the stack's `pinstack:gates`. */
    readonly gates?: Gates;
    /** Count missing gate results as failures (at promotion time). */
    readonly strictGates?: boolean;
    /** The config before this change, for the hold rule. */
    readonly previous?: StackConfig;
    /** The pins the stack's successful updates ran, for the hold rule (lib/history's earlierPinsOf). */
    readonly earlier?: EarlierPins;
    /** The keys the stack trusts, for the signed-images rule (which is not judged without them). */
    readonly trust?: Trust;
}

/** The images of a stack the image rules look at: each service's image, then its init containers and sidecars. */
export function imageSubjectsOf(config: StackConfig): ImageSubject[] {
    const out: ImageSubject[] = [];
    for (const service of config.services) {
        out.push(serviceImage(service));
        for (const list of EXTRA_CONTAINER_LISTS) {
            service[list]?.forEach((container, i) => {
                out.push({
                    ref: refFromParts(container.image, container.tag, container.digest),
                    service: service.name,
                    container: container.name,
                    get location() {
                        const location = service.fieldLocations?.[list] ?? service.location;
                        return { ...location, key: `${service.location.key}.${list}[${i}]` };
                    },
                });
            });
        }
    }
    return out;
}

// Locations are getters: the pin finds its lines only when a finding is about it.
function serviceImage(service: ServicePin): ImageSubject {
    return {
        ref: refFromParts(service.image, service.tag, service.digest),
        service: service.name,
        scheme: service.scheme,
        get location() {
            return service.location;
        },
        get tagLocation() {
            return service.fieldLocations?.tag;
        },
        get digestLocation() {
            return service.fieldLocations?.digest;
        },
    };
}

/** An ImageReference from a pin's separate fields (already validated when the config was parsed). */
export function refFromParts(image: string, tag?: string, digest?: string): ImageReference {
    const name = parseRepositoryName(image);
    return {
        input: pinReference({ image, tag, digest }),
        domain: name.ok ? name.value.domain : "",
        name: image,
        path: name.ok ? name.value.path : image,
        tag: tag ?? "",
        digest: digest ?? "",
    };
}

/**
 * Runs every rule over one stack. The level of each finding comes from the preset
 * (`disabled` rules are not run); a rule may lower one finding to advisory. Only
 * `mandatory` findings refuse (see isRefused).
 */
export function evaluateStack(config: StackConfig, preset: StackPreset = effectivePreset(config), options: EvaluateOptions = {}): Violation[] {
    const context: RuleContext = {
        stack: config.stack,
        preset,
        gates: { ...config.gates, ...(options.gates ?? {}) },
        strictGates: options.strictGates ?? false,
        ...(options.trust ? { trust: options.trust } : {}),
    };
    const images = imageSubjectsOf(config);
    const violations: Violation[] = [];
    for (const id of ruleIds) {
        const level = preset.levels[id] ?? "disabled";
        if (level === "disabled") continue;
        const rule = rules[id];
        const findings: Finding[] = [];
        if (rule.image) for (const image of images) findings.push(...rule.image(image, context));
        if (rule.service) for (const service of config.services) findings.push(...rule.service(service, context));
        if (rule.package) for (const pkg of config.packages) findings.push(...rule.package(pkg, context));
        if (rule.gate) findings.push(...rule.gate(context));
        if (rule.stack) findings.push(...rule.stack(config, context, { previous: options.previous, earlier: options.earlier }));
        for (const finding of findings) violations.push(toViolation(id, level, finding, config.stack, config.file));
    }
    return violations;
}

/** Input of evaluateImage: one reference checked against one stack. */
export interface ImageInput {
    /** The reference as given (`ghcr.io/org/app:1.2.3@sha256:...`). */
    readonly reference: string;
    /** Stack name, for messages. */
    readonly stack: string;
    /** The stack's effective preset (effectivePreset(config)). */
    readonly preset: StackPreset;
    /** The service's scheme; when absent only the rules that hold for every service run. */
    readonly scheme?: SchemeName;
    /** Service name, for messages. */
    readonly service?: string;
    readonly gates?: Gates;
    /** The stack is on hold: refuse unless `rollback`. */
    readonly hold?: boolean;
    readonly holdReason?: string;
    /** The stack is frozen (lib/freeze's describeFreeze): refuse unless `rollback`. */
    readonly frozen?: string;
    readonly rollback?: boolean;
}

/** Result of evaluateImage: the parsed reference, or why it is not one; and the findings. */
export interface ImageResult {
    readonly ref?: ImageReference;
    /** Set when the reference is not valid (exit 2); no rules ran. */
    readonly error?: string;
    readonly violations: Violation[];
}

/**
 * Checks one image reference for a stack: the entry point of `verify-image` and of the
 * policy pack's per-resource checks. Runs the image rules (mutable tags, scheme when
 * `scheme` is given, prereleases, digest, registry, production-branch tags) and hold.
 */
export function evaluateImage(input: ImageInput): ImageResult {
    const parsed = parseReference(input.reference);
    if (!parsed.ok) return { error: parsed.error, violations: [] };
    const context: RuleContext = { stack: input.stack, preset: input.preset, gates: input.gates ?? {}, strictGates: false };
    const image: ImageSubject = { ref: parsed.ref, service: input.service, scheme: input.scheme };
    const violations: Violation[] = [];
    for (const id of ruleIds) {
        const level = input.preset.levels[id] ?? "disabled";
        if (level === "disabled") continue;
        const findings = id === "hold" ? holdRule.imageOnHold(image, input.stack, { hold: input.hold ?? false, holdReason: input.holdReason, rollback: input.rollback, frozen: input.frozen }) : (rules[id].image?.(image, context) ?? []);
        for (const finding of findings) violations.push(toViolation(id, level, finding, input.stack));
    }
    return { ref: parsed.ref, violations };
}

/** True when any violation is mandatory (the command exits 1, the policy pack refuses). */
export function isRefused(violations: readonly Violation[]): boolean {
    return violations.some((v) => v.level === "mandatory");
}

const LEVEL_RANK: Record<Level, number> = { disabled: 0, advisory: 1, mandatory: 2 };

function toViolation(rule: RuleId, level: Level, finding: Finding, stack: string, file?: string): Violation {
    const effective = finding.level && LEVEL_RANK[finding.level] < LEVEL_RANK[level] ? finding.level : level;
    const location = finding.location ?? (file ? { file, line: 0, column: 0, key: "" } : undefined);
    return { rule, level: effective, message: finding.message, stack, subject: finding.subject, location };
}
