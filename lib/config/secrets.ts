/**
 * Where a stack file may hold `secure:` values, and which parsed values came from one.
 *
 * pinstack decides what runs from the pins, the hold and the gates: a value it must read to
 * decide cannot be encrypted (a `secure:` hold reads as true to Pulumi and as absent to
 * pinstack, a secure tag could be anything). What the workload consumes opaquely can: the
 * `env` of a service, as a whole map or entry by entry. Keys are the dotted keys readStackFile
 * records (`pinstack:services.api.env.TOKEN`, list items as `[0]`).
 */

const ENV_SECRET = /^pinstack:services\.([^.[\]]+)\.env(?:\.(.+))?$/;

/** The `pinstack:` secret keys that are not a service's env map or one of its entries. */
export function misplacedSecrets(secretKeys: readonly string[]): string[] {
    return secretKeys.filter((key) => key.startsWith("pinstack:") && !ENV_SECRET.test(key));
}

/** True when the dotted key is a secret key or lies anywhere under one. */
export function underSecret(secretKeys: readonly string[], dotted: string): boolean {
    return secretKeys.some((key) => dotted === key || dotted.startsWith(`${key}.`) || dotted.startsWith(`${key}[`));
}

/**
 * The names of a service's env entries whose values come from a secret: every entry when the
 * whole map is one `secure:` value (Pulumi hands it over as the decrypted JSON text, which
 * parses into plain entries), else the entries that are `secure:` one by one.
 */
export function secretEnvNames(secretKeys: readonly string[], service: string, env: Readonly<Record<string, string>> | undefined): string[] {
    if (!env) return [];
    const map = `pinstack:services.${service}.env`;
    return Object.keys(env).filter((name) => underSecret(secretKeys, `${map}.${name}`));
}

/**
 * Secret keys for the top-level keys Pulumi says are secret (its PULUMI_CONFIG_SECRET_KEYS)
 * that the stack file does not explain (a value from outside the file): the whole key
 * counts as secret, so nothing from it is ever shown as plain.
 */
export function unexplainedSecretKeys(fileKeys: readonly string[], pulumiTopLevel: readonly string[]): string[] {
    return pulumiTopLevel.filter((top) => top.startsWith("pinstack:") && !fileKeys.some((key) => underSecret([top], key)));
}
