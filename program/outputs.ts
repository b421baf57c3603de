import * as pulumi from "@pulumi/pulumi";
import type { ExtraContainer, StackConfig } from "../lib/model";
import { pinVersion } from "../lib/pin";
import type { ServiceRelease } from "../components/ServiceRelease";

/**
 * One service as deployed, in the shape of its config entry (so `pinstack rollback` can
 * write it back) plus `reference`: what the pods pull, with the digest when pinned or resolved.
 */
export interface DeployedService {
    readonly image: string;
    readonly tag?: string;
    readonly digest?: pulumi.Input<string>;
    readonly reference: pulumi.Input<string>;
    readonly version: string;
    readonly strategy: string;
    readonly activeColor?: string;
    readonly previous?: { readonly tag?: string; readonly digest?: string };
    /** As configured, when the service has any: they run in its pods, and rollback restores them. */
    readonly initContainers?: readonly ExtraContainer[];
    readonly sidecars?: readonly ExtraContainer[];
    readonly promotedFrom?: string;
}

export interface DeployedPackage {
    readonly version: string;
    readonly channel: string;
}

/** The `pins` stack output: a plain object keyed by service and package name. */
export interface DeployedPins {
    readonly services: Record<string, DeployedService>;
    readonly packages: Record<string, DeployedPackage>;
}

/**
 * The pins as deployed, for the audit trail: `pinstack history` and `pinstack rollback` read
 * them from `pulumi stack history` / `pulumi stack output pins`. Keys are left out rather
 * than set to null, so the shape matches what was written in config.
 */
export function deployedPins(
    stack: StackConfig,
    releases: ReadonlyMap<string, ServiceRelease>,
    options: { readonly resolveDigests: boolean },
): DeployedPins {
    const services: Record<string, DeployedService> = {};
    for (const pin of stack.services) {
        const release = releases.get(pin.name);
        if (!release) throw new Error(`no ServiceRelease for service ${pin.name}`);
        // A digest only where one is known: pinned, or looked up (tag-only pins, resolveDigests).
        const digest = pin.digest ?? (options.resolveDigests && pin.tag ? release.image.apply((reference) => reference.split("@")[1]) : undefined);
        services[pin.name] = {
            image: pin.image,
            ...(pin.tag !== undefined ? { tag: pin.tag } : {}),
            ...(digest !== undefined ? { digest } : {}),
            reference: release.image,
            version: pinVersion(pin),
            strategy: pin.strategy,
            ...(pin.strategy === "blue-green" ? { activeColor: pin.activeColor ?? "blue" } : {}),
            ...(pin.previous ? { previous: { ...pin.previous } } : {}),
            ...(pin.initContainers?.length ? { initContainers: pin.initContainers.map((c) => ({ ...c })) } : {}),
            ...(pin.sidecars?.length ? { sidecars: pin.sidecars.map((c) => ({ ...c })) } : {}),
            ...(pin.provenance ? { promotedFrom: pin.provenance.from } : {}),
        };
    }
    const packages: Record<string, DeployedPackage> = {};
    for (const pin of stack.packages) packages[pin.name] = { version: pin.version, channel: pin.channel };
    return { services, packages };
}
