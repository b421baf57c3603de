import {
    anchoredDigestRegexp,
    anchoredDomainRegexp,
    anchoredNameRegexp,
    anchoredPathComponentRegexp,
    anchoredTagRegexp,
    DIGEST_HEX_LENGTH,
    referenceRegexp,
    REPOSITORY_PATH_MAX,
} from "./grammar";

/**
 * An image reference split as written. `name` is the repository with its domain, not
 * normalised to docker.io; absent parts are "". The domain/path split follows
 * distribution/reference's `Parse`: a leading component that matches the domain
 * grammar is the domain, so `library/nginx` has domain "library" (see registryOf for
 * the registry Docker would contact).
 */
export interface ImageReference {
    readonly input: string;
    readonly domain: string;
    readonly name: string;
    readonly path: string;
    readonly tag: string;
    readonly digest: string;
}

/** The result of a parse: the value, or one sentence saying what is wrong. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** Result of parseReference, in the shape the rules and the policy pack consume. */
export type ReferenceResult = { readonly ok: true; readonly ref: ImageReference } | { readonly ok: false; readonly error: string };

/**
 * Parses a full reference `name[:tag][@digest]`. Hand-written over the grammar's own
 * expressions because no maintained npm package implements the current grammar (IPv6
 * domains, `__` and `-+` separators, per-algorithm digest lengths) and none explains
 * why a reference is invalid; the published test cases of distribution/reference are
 * the acceptance tests (tests/unit/lib/reference).
 */
export function parseReference(input: string): ReferenceResult {
    if (input === "") return fail("the reference is empty: give at least a repository name, e.g. ghcr.io/org/app:1.2.3");
    const unprintable = findUnprintable(input);
    if (unprintable) return fail(unprintable);

    const match = referenceRegexp.exec(input);
    if (!match) {
        const lowered = input.toLowerCase();
        if (lowered !== input && referenceRegexp.test(lowered)) {
            return fail(uppercaseReason(input));
        }
        return fail(diagnose(input));
    }
    const [, name, tag = "", digest = ""] = match;
    const { domain, path } = splitName(name);
    if (path.length > REPOSITORY_PATH_MAX) {
        return fail(`the repository path is ${path.length} characters; the limit is ${REPOSITORY_PATH_MAX}`);
    }
    if (digest) {
        const digestError = digestProblem(digest);
        if (digestError) return fail(digestError);
    }
    return { ok: true, ref: { input, domain, name, path, tag, digest } };
}

/** Parses a repository name on its own (no tag, no digest), as a service's `image:` is written. */
export function parseRepositoryName(input: string): Parsed<{ domain: string; path: string; name: string }> {
    // Reading a stack checks each image, and the rules look at it again: remember the answer.
    let parsed = repositoryNames.get(input);
    if (!parsed) {
        parsed = deepFreeze(parseRepositoryNameUncached(input));
        if (repositoryNames.size >= REPOSITORY_NAME_CACHE) repositoryNames.clear();
        repositoryNames.set(input, parsed);
    }
    return parsed;
}

const REPOSITORY_NAME_CACHE = 10_000;
const repositoryNames = new Map<string, Parsed<{ domain: string; path: string; name: string }>>();

function deepFreeze<T extends object>(value: T): T {
    for (const child of Object.values(value)) if (child && typeof child === "object") Object.freeze(child);
    return Object.freeze(value);
}

function parseRepositoryNameUncached(input: string): Parsed<{ domain: string; path: string; name: string }> {
    if (input === "") return { ok: false, error: "the repository name is empty" };
    const unprintable = findUnprintable(input);
    if (unprintable) return { ok: false, error: unprintable };
    const match = anchoredNameRegexp.exec(input);
    if (!match) {
        const full = parseReference(input);
        if (full.ok) {
            return {
                ok: false,
                error: full.ref.tag
                    ? `'${input}' includes the tag '${full.ref.tag}': write the repository here and the tag in 'tag:'`
                    : `'${input}' includes a digest: write the repository here and the digest in 'digest:'`,
            };
        }
        return { ok: false, error: full.error };
    }
    const domain = match[1] ?? "";
    const path = match[2];
    if (path.length > REPOSITORY_PATH_MAX) {
        return { ok: false, error: `the repository path is ${path.length} characters; the limit is ${REPOSITORY_PATH_MAX}` };
    }
    return { ok: true, value: { domain, path, name: input } };
}

/** Checks a tag on its own; undefined when it is valid, else the reason. */
export function tagProblem(tag: string): string | undefined {
    if (anchoredTagRegexp.test(tag)) return undefined;
    if (tag === "") return "the tag is empty";
    const unprintable = findUnprintable(tag);
    if (unprintable) return unprintable.replace("reference", "tag");
    if (tag.length > 128) return `the tag is ${tag.length} characters; the limit is 128`;
    if (!/^\w/.test(tag)) return `the tag '${tag}' must start with a letter, digit or '_'`;
    const bad = [...tag].find((c) => !/[\w.-]/.test(c));
    return `the tag '${tag}' contains '${bad}'; a tag may hold only letters, digits, '_', '.' and '-'`;
}

/**
 * Checks a digest `algorithm:hex`; undefined when valid. Like go-digest, the algorithm
 * must be one pinstack knows and the hex must be lowercase and exactly as long as the
 * algorithm's output.
 */
export function digestProblem(digest: string): string | undefined {
    const colon = digest.indexOf(":");
    if (colon <= 0 || colon === digest.length - 1) {
        return `the digest '${digest}' must be algorithm:hex, e.g. sha256:<64 hex digits>`;
    }
    const algorithm = digest.slice(0, colon);
    const hex = digest.slice(colon + 1);
    if (!anchoredDigestRegexp.test(digest)) {
        if (!/^[0-9a-fA-F]+$/.test(hex)) return `the digest '${digest}' is not hexadecimal after '${algorithm}:'`;
        if (hex.length < 32) return `the digest '${digest}' is too short: ${hex.length} hex digits`;
        return `the digest algorithm '${algorithm}' is not well-formed`;
    }
    const expected = Object.prototype.hasOwnProperty.call(DIGEST_HEX_LENGTH, algorithm) ? DIGEST_HEX_LENGTH[algorithm] : undefined;
    if (expected === undefined) {
        return `the digest algorithm '${algorithm}' is not supported; use ${Object.keys(DIGEST_HEX_LENGTH).join(", ")}`;
    }
    if (hex.length !== expected) {
        return `a ${algorithm} digest has ${expected} hex digits; '${digest}' has ${hex.length}`;
    }
    if (!/^[0-9a-f]+$/.test(hex)) return `the digest '${digest}' must be lowercase hex`;
    return undefined;
}

/** Joins the parts back: `name[:tag][@digest]`. */
export function formatReference(parts: { name: string; tag?: string; digest?: string }): string {
    return `${parts.name}${parts.tag ? `:${parts.tag}` : ""}${parts.digest ? `@${parts.digest}` : ""}`;
}

function splitName(name: string): { domain: string; path: string } {
    const match = anchoredNameRegexp.exec(name);
    return match ? { domain: match[1] ?? "", path: match[2] } : { domain: "", path: name };
}

function fail(error: string): ReferenceResult {
    return { ok: false, error };
}

const WHITESPACE_NAMES: Record<string, string> = { " ": "a space", "\t": "a tab", "\n": "a newline", "\r": "a carriage return" };

function findUnprintable(input: string): string | undefined {
    if (!/[\s\x00-\x1f\x7f]/.test(input)) return undefined;
    for (let i = 0; i < input.length; i++) {
        const c = input[i];
        if (/\s/.test(c)) {
            const what = WHITESPACE_NAMES[c] ?? "whitespace";
            const where = i === 0 ? "at the start" : i === input.length - 1 ? "at the end" : `at position ${i + 1}`;
            return `the reference contains ${what} ${where}; references cannot contain whitespace`;
        }
        if (c < " " || c === "\u007f") return `the reference contains a control character at position ${i + 1}`;
    }
    return undefined;
}

function uppercaseReason(input: string): string {
    const { name } = splitParts(input);
    const components = name.split("/");
    const offending = components.find((c, i) => /[A-Z]/.test(c) && !(i === 0 && components.length > 1 && looksLikeDomain(c)));
    return `the repository name must be lowercase${offending ? `: '${offending}'` : ""}`;
}

/** Splits without validating: the last ':' after the last '/' starts the tag, the first '@' the digest. */
function splitParts(input: string): { name: string; tag?: string; digest?: string } {
    const at = input.indexOf("@");
    const beforeDigest = at >= 0 ? input.slice(0, at) : input;
    const digest = at >= 0 ? input.slice(at + 1) : undefined;
    const lastSlash = beforeDigest.lastIndexOf("/");
    const colon = beforeDigest.indexOf(":", lastSlash + 1);
    if (colon >= 0 && !(lastSlash < 0 && beforeDigest.startsWith("["))) {
        return { name: beforeDigest.slice(0, colon), tag: beforeDigest.slice(colon + 1), digest };
    }
    return { name: beforeDigest, digest };
}

function looksLikeDomain(component: string): boolean {
    return component.includes(".") || component.includes(":") || component.startsWith("[") || component === "localhost" || /[A-Z]/.test(component);
}

/** Why a reference that the grammar refuses is invalid, as precisely as can be said. */
function diagnose(input: string): string {
    const { name, tag, digest } = splitParts(input);
    if (name === "") {
        return tag !== undefined || digest !== undefined
            ? "the reference has no repository name before its tag or digest"
            : "the reference is empty";
    }
    const nameError = nameProblem(name);
    if (nameError) return nameError;
    if (tag !== undefined) {
        const problem = tagProblem(tag);
        if (problem) return problem;
    }
    if (digest !== undefined) {
        if (digest === "") return "the digest after '@' is empty";
        const problem = digestProblem(digest);
        if (problem) return problem;
    }
    return "invalid reference format";
}

function nameProblem(name: string): string | undefined {
    if (name.startsWith("[") && !name.includes("/")) {
        return `'${name}' is an IPv6 registry without a repository: write [address]:port/repository`;
    }
    const components = name.split("/");
    if (components.some((c) => c === "")) {
        return `the repository name '${name}' has an empty path component (a leading, trailing or doubled '/')`;
    }
    let pathComponents = components;
    if (components.length > 1 && looksLikeDomain(components[0])) {
        const domainError = domainProblem(components[0]);
        if (domainError) return domainError;
        pathComponents = components.slice(1);
    }
    for (const component of pathComponents) {
        const problem = pathComponentProblem(component);
        if (problem) return problem;
    }
    return undefined;
}

function domainProblem(domain: string): string | undefined {
    if (anchoredDomainRegexp.test(domain)) return undefined;
    if (domain.startsWith("[")) {
        const close = domain.indexOf("]");
        if (close < 0) return `the IPv6 registry '${domain}' has no closing ']'`;
        const address = domain.slice(1, close);
        if (address.includes("%")) return `the IPv6 registry '${domain}' has a zone identifier, which references do not allow`;
        if (!/^[0-9a-fA-F:]+$/.test(address)) return `the IPv6 registry '${domain}' may hold only hex digits and ':' between the brackets`;
        const rest = domain.slice(close + 1);
        if (rest !== "" && !/^:[0-9]+$/.test(rest)) return `the registry port in '${domain}' must be ':' followed by digits`;
        return `the registry '${domain}' is not a valid domain`;
    }
    const colon = domain.indexOf(":");
    const hostPart = colon >= 0 ? domain.slice(0, colon) : domain;
    if (colon >= 0 && !/^[0-9]+$/.test(domain.slice(colon + 1))) {
        return `the registry port '${domain.slice(colon + 1)}' in '${domain}' must be a number`;
    }
    for (const label of hostPart.split(".")) {
        if (label === "") return `the registry '${domain}' has an empty label (a leading, trailing or doubled '.')`;
        if (!/^[a-zA-Z0-9-]+$/.test(label)) return `the registry '${domain}' may hold only letters, digits, '-' and '.'`;
        if (label.startsWith("-") || label.endsWith("-")) return `the registry label '${label}' in '${domain}' must start and end with a letter or digit`;
    }
    return `the registry '${domain}' is not a valid domain`;
}

function pathComponentProblem(component: string): string | undefined {
    if (anchoredPathComponentRegexp.test(component)) return undefined;
    if (/[A-Z]/.test(component)) return `the repository name must be lowercase: '${component}'`;
    const bad = [...component].find((c) => !/[a-z0-9._-]/.test(c));
    if (bad !== undefined) {
        return `the repository path component '${component}' contains '${bad}'; use lowercase letters, digits and the separators '.', '_', '__', '-'`;
    }
    if (!/^[a-z0-9]/.test(component) || !/[a-z0-9]$/.test(component)) {
        return `the repository path component '${component}' must start and end with a lowercase letter or digit`;
    }
    return `the repository path component '${component}' has an invalid separator run; between letters use one '.', one or two '_', or dashes`;
}
