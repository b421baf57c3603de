import type { ImageReference } from "./parse";

/** The registry Docker pulls from when a reference names none. */
export const DEFAULT_REGISTRY = "docker.io";

/**
 * The registry a runtime would contact for `ref`. distribution/reference's `Parse`
 * reads any leading component as a domain (`library/nginx` -> "library"), but Docker
 * only treats it as a registry when it has a '.', a ':' or is `localhost` (normalize.go);
 * otherwise the image comes from docker.io. The allow-list rule needs the latter.
 */
export function registryOf(ref: Pick<ImageReference, "domain">): string {
    const domain = ref.domain;
    if (domain === "" || !(domain.includes(".") || domain.includes(":") || domain === "localhost" || domain.startsWith("["))) {
        return DEFAULT_REGISTRY;
    }
    return domain.toLowerCase();
}

/** `registry/path` with the default registry filled in, for prefix matching against allow-lists. */
export function qualifiedName(ref: Pick<ImageReference, "domain" | "path" | "name">): string {
    const registry = registryOf(ref);
    const path = registry === DEFAULT_REGISTRY && ref.domain !== DEFAULT_REGISTRY ? ref.name : ref.path;
    // Docker's official images live under library/: `nginx` is docker.io/library/nginx.
    return registry === DEFAULT_REGISTRY && !path.includes("/") ? `${registry}/library/${path}` : `${registry}/${path}`;
}
