import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

export const projectDir = path.resolve(__dirname, "../../..");
export const stackNames = ["playground", "staging", "production"] as const;

/** A kubeconfig file that exists: the program checks the file is there; the mocks never connect. */
export const mockKubeconfig = path.join(projectDir, "tests", "fixtures", "kubeconfig.yaml");

/**
 * The `config:` map of a real Pulumi.<stack>.yaml as plain data, keys as written, except that a
 * `pinstack:kubeconfig` (the local cluster's, which need not run for tests under mocks) names
 * {@link mockKubeconfig}.
 */
export function stackFileConfig(stack: string, dir = projectDir): Record<string, any> {
    const doc = YAML.parse(fs.readFileSync(path.join(dir, `Pulumi.${stack}.yaml`), "utf8"));
    if (doc.config["pinstack:kubeconfig"] !== undefined) doc.config["pinstack:kubeconfig"] = mockKubeconfig;
    return doc.config;
}

/**
 * Config as the Node.js language host hands it to a program: every key qualified with the
 * project, every value a string — scalars as text, maps and lists as JSON.
 */
export function asPulumiConfig(config: Record<string, any>, project = "pinstack"): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(config)) {
        const qualified = key.includes(":") ? key : `${project}:${key}`;
        out[qualified] = typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
    }
    return out;
}
