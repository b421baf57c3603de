import { getRegistryImageOutput } from "@pulumi/docker/getRegistryImage";
import * as pulumi from "@pulumi/pulumi";
import { ImagePin, pinReference } from "../lib/pin";

export interface ResolveOptions {
    /**
     * Ask the registry for the digest of tag-only pins (Docker provider, `getRegistryImage`).
     * Only when the preset wants digests recorded and a registry is reachable: the lookup
     * fails the update when it is not.
     */
    readonly resolveDigests: boolean;
    readonly parent?: pulumi.Resource;
    readonly provider?: pulumi.ProviderResource;
}

/**
 * The reference the pods pull. A pinned digest is used as written and never looked up, so
 * the deployed image is exactly the one reviewed. A pin without a tag is not resolved
 * either: "latest" today is not a pin.
 */
export function resolveImageReference(pin: ImagePin, options: ResolveOptions): pulumi.Input<string> {
    // A plain string when nothing is looked up: no Output to await for the common case.
    if (pin.digest || !pin.tag || !options.resolveDigests) {
        return pinReference(pin);
    }
    const found = getRegistryImageOutput(
        { name: pinReference(pin) },
        { parent: options.parent, provider: options.provider },
    );
    return found.sha256Digest.apply((digest) => pinReference({ ...pin, digest }));
}
