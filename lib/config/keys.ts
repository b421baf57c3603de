/** A path into the config: `["pinstack:services", "backend", "tag"]`. */
export type ConfigPath = readonly (string | number)[];

/** The dotted form used in messages: `pinstack:services.backend.tag`, array items as `[0]`. */
export function dottedKey(path: ConfigPath): string {
    let out = "";
    for (const part of path) {
        if (typeof part === "number") out += `[${part}]`;
        else out += out === "" ? part : `.${part}`;
    }
    return out;
}

/** Config keys without a namespace belong to the project: `services` is `pinstack:services` in project pinstack. */
export function qualifyKey(key: string, project = "pinstack"): string {
    return key.includes(":") ? key : `${project}:${key}`;
}
