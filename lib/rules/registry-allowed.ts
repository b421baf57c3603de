import { qualifiedName, registryOf } from "../reference";
import type { Finding, ImageSubject, Rule, RuleContext } from "./types";
import { describeImage } from "./types";

/**
 * Whether an image may come from the allow-list. An entry is a registry host
 * (`ghcr.io`, `localhost:5000`) or a registry with a path prefix (`ghcr.io/example`).
 * Images without a registry are Docker Hub's (`docker.io`).
 */
export function registryAllowed(ref: { domain: string; path: string; name: string }, allowed: readonly string[]): boolean {
    if (allowed.length === 0) return true;
    const registry = registryOf(ref);
    const full = qualifiedName(ref);
    return allowed.some((entry) => {
        const e = entry.toLowerCase().replace(/\/+$/, "");
        return e === registry || full === e || full.startsWith(`${e}/`);
    });
}

/** Rule `registry-allowed`: images come from the preset's registries. */
export const registryAllowedRule: Rule = {
    id: "registry-allowed",
    description: "Images come only from the registries the stack lists (preset registries); an empty list allows any.",
    image(image: ImageSubject, context: RuleContext): Finding[] {
        const allowed = context.preset.registries;
        if (registryAllowed(image.ref, allowed)) return [];
        return [
            {
                subject: image.service ?? image.ref.name,
                location: image.location,
                message: `${describeImage(image)} comes from ${registryOf(image.ref)}, which ${context.stack} does not allow; push the image to one of ${allowed.join(", ")} and pin that`,
            },
        ];
    },
};
