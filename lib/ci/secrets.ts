import { SECRET_TEXT } from "./pin-changes";

/**
 * Keeps secret values out of the comment. The comment never prints property values of
 * resources, so what is left are free-text messages (diagnostics, policy messages) that a
 * program or a policy might have built from a secret. Any value the preview's config holds
 * for a key that is `secure:` in a stack file is replaced with [secret] wherever it occurs.
 */

/** Values shorter than this are not redacted: replacing every "1" or "on" would garble text and protect nothing. */
const MIN_SECRET_LENGTH = 4;

export class Redactor {
    private readonly values: readonly string[];

    constructor(values: readonly string[]) {
        // Longest first, so a secret that contains another is replaced whole.
        this.values = [...new Set(values.filter((v) => v.length >= MIN_SECRET_LENGTH && v !== SECRET_TEXT))].sort((a, b) => b.length - a.length);
    }

    apply(text: string): string {
        let out = text;
        for (const value of this.values) out = out.split(value).join(SECRET_TEXT);
        return out;
    }

    get size(): number {
        return this.values.length;
    }
}

/**
 * Secret values found in a preview's config map (`pinstack:services` -> JSON text, ...),
 * for the dotted secret keys of the stack files (`pinstack:services.api.env.TOKEN`).
 * Pulumi normally blinds these as [secret]; this catches a preview run with
 * `--show-secrets` or a program that copies a secret into plain config.
 */
export function secretValuesFromConfig(config: Readonly<Record<string, string>>, secretKeys: readonly string[]): string[] {
    const found: string[] = [];
    for (const secretKey of secretKeys) {
        const [top, ...rest] = splitKey(secretKey);
        const raw = config[top];
        if (raw === undefined || raw === SECRET_TEXT) continue;
        if (rest.length === 0) {
            found.push(raw);
            continue;
        }
        let value: unknown;
        try {
            value = JSON.parse(raw);
        } catch {
            continue; // a plain string cannot hold a nested key
        }
        for (const part of rest) value = isIndexable(value) ? (value as Record<string, unknown>)[part] : undefined;
        collectStrings(value, found);
    }
    return found;
}

/** `pinstack:services.api.env[0]` -> ["pinstack:services", "api", "env", "0"]. */
function splitKey(key: string): string[] {
    const colon = key.indexOf(":");
    const namespace = colon < 0 ? "" : key.slice(0, colon + 1);
    const parts = key.slice(namespace.length).replace(/\[(\d+)\]/g, ".$1").split(".").filter((p) => p !== "");
    if (parts.length === 0) return [key];
    return [namespace + parts[0], ...parts.slice(1)];
}

function isIndexable(value: unknown): boolean {
    return typeof value === "object" && value !== null;
}

function collectStrings(value: unknown, out: string[]): void {
    if (typeof value === "string") {
        out.push(value);
        // A map set with `--secret --path …env '{"DB_URL":…}'` is one secret whose decrypted
        // text is JSON: a message that quotes one entry holds only part of it.
        if (/^\s*[[{]/.test(value)) {
            try {
                collectStrings(JSON.parse(value), out);
            } catch {
                // not JSON: the whole text is the secret
            }
        }
    }
    else if (typeof value === "number" || typeof value === "boolean") out.push(String(value));
    else if (Array.isArray(value)) value.forEach((v) => collectStrings(v, out));
    else if (isIndexable(value)) Object.values(value as Record<string, unknown>).forEach((v) => collectStrings(v, out));
}
