import type { Gates, Level, PackagePin, RuleId, SchemeName, ServicePin, SourceLocation, StackConfig } from "../model";
import type { ImageReference } from "../reference";
import type { StackPreset } from "../presets";
import type { EarlierPins } from "./hold-pins";
import type { Trust } from "../signing/keys";

/** One thing a rule found, before the stack's level for that rule is applied. */
export interface Finding {
    readonly message: string;
    /** Service or package name. */
    readonly subject?: string;
    readonly location?: SourceLocation;
    /** Lowers the finding below the rule's level (e.g. a load test labelled `warn` is advisory). */
    readonly level?: Level;
}

/** An image a rule looks at: a service's main image, an init container or sidecar, or a reference given to verify-image. */
export interface ImageSubject {
    readonly ref: ImageReference;
    /** Service the image belongs to, when known. */
    readonly service?: string;
    /** Init container / sidecar name when the image is not the service's main one. */
    readonly container?: string;
    /** The service's declared scheme; undefined when unknown (verify-image without --service). */
    readonly scheme?: SchemeName;
    readonly location?: SourceLocation;
    readonly tagLocation?: SourceLocation;
    readonly digestLocation?: SourceLocation;
}

/** What every rule may consult besides the thing it checks. */
export interface RuleContext {
    readonly stack: string;
    readonly preset: StackPreset;
    readonly gates: Gates;
    /** Missing gate results count as failures (promotion time), not as "not reported yet" (a plain check). */
    readonly strictGates: boolean;
    /** The keys the stack trusts; the signed-images rule judges nothing without them. */
    readonly trust?: Trust;
}

/** A rule: its id, what it asks for, and the checks it runs. Level comes from the preset. */
export interface Rule {
    readonly id: RuleId;
    /** One line: what the rule requires (used by --help, the policy pack's descriptions). */
    readonly description: string;
    /** Checks one image (service image, sidecar, or a reference given to verify-image). */
    image?(image: ImageSubject, context: RuleContext): Finding[];
    /** Checks one service's pin as a whole (its provenance). */
    service?(pin: ServiceUnderRule, context: RuleContext): Finding[];
    /** Checks one package pin. */
    package?(pin: PackagePin, context: RuleContext): Finding[];
    /** Checks the gates CI hands over (context.gates), once per stack. */
    gate?(context: RuleContext): Finding[];
    /** Checks a change of the stack as a whole (hold: against `previous`). */
    stack?(config: StackConfig, context: RuleContext, options: StackRuleOptions): Finding[];
}

/**
 * What a service rule reads of a pin: the artifact and its provenance, and where they are
 * written. The policy pack builds one from a workload's annotations; a parsed ServicePin is one.
 */
export type ServiceUnderRule = Pick<ServicePin, "name" | "image" | "tag" | "digest" | "initContainers" | "sidecars" | "provenance" | "location" | "fieldLocations">;

/** Extra inputs for stack-level checks. */
export interface StackRuleOptions {
    /** The config before the change being checked (the deployed or base-branch config). */
    readonly previous?: StackConfig;
    /** The pins the stack's successful updates ran (hold: a moved pin passes only as a return to one of them). */
    readonly earlier?: EarlierPins;
}

/** How a subject is named in messages: `service backend`, `sidecar envoy of service backend`. */
export function describeImage(image: ImageSubject): string {
    if (image.container && image.service) return `container ${image.container} of service ${image.service}`;
    if (image.service) return `service ${image.service}`;
    return `image ${image.ref.input}`;
}
