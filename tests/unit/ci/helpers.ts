import type { SignatureRecord } from "../../../lib/model";
import * as fs from "fs";
import * as path from "path";
import { parseStackConfig, parseStackFileText } from "../../../lib/config";
import type { StackConfig } from "../../../lib/model";
import { packageSubject, sealProvenance, serviceSubject } from "../../../lib/provenance";

export const fixtures = path.resolve(__dirname, "../../fixtures");
export const DIGEST_A = `sha256:${"4c1b".repeat(16)}`;
export const DIGEST_B = `sha256:${"9e8d".repeat(16)}`;

/** A stack config from stack-file text, as lib/config reads a file (secure: values dropped, their keys listed). */
export function stackFromYaml(stack: string, text: string): StackConfig {
    const file = `Pulumi.${stack}.yaml`;
    const parsed = parseStackFileText(file, text, { project: "pinstack" });
    return parseStackConfig(stack, file, parsed.raw, parsed.locate, { secretKeys: parsed.secretKeys, project: "pinstack" });
}

export function readFixture(name: string): string {
    return fs.readFileSync(path.join(fixtures, name), "utf8");
}

/** A provenance block as `pinstack promote` writes it, sealed for this service pin. */
export function serviceProvenance(
    name: string,
    pin: { image: string; tag?: string; digest?: string },
    extra: { from?: string; by?: string; reason?: string; rollback?: boolean; signatures?: SignatureRecord[] } = {},
) {
    return sealProvenance(serviceSubject({ name, ...pin }), {
        from: extra.from ?? "staging",
        at: "2026-11-20T10:00:00Z",
        by: extra.by ?? "ana@example.org",
        reason: extra.reason ?? "weekly release",
        ...(extra.rollback ? { rollback: true } : {}),
        ...(extra.signatures ? { signatures: extra.signatures } : {}),
    });
}

export function packageProvenance(name: string, version: string, extra: { from?: string; rollback?: boolean } = {}) {
    return sealProvenance(packageSubject({ name, version }), {
        from: extra.from ?? "staging",
        at: "2026-11-20T10:00:00Z",
        by: "ana@example.org",
        reason: "release",
        ...(extra.rollback ? { rollback: true } : {}),
    });
}

/** YAML for a stack file with one backend service and one package; `extra` lines go under config:. */
export function stackYaml(options: {
    environment: string;
    tag?: string;
    digest?: string;
    version?: string;
    hold?: boolean;
    provenance?: object;
    packageProvenance?: object;
    extra?: string;
}): string {
    const lines = [
        "config:",
        `  pinstack:environment: ${options.environment}`,
        ...(options.hold !== undefined ? [`  pinstack:hold: ${options.hold}`] : []),
        // Production lists its registries: an empty list (any registry) is below its floor.
        ...(options.environment === "production" ? ["  pinstack:preset:", "    registries: [ ghcr.io/example ]"] : []),
        "  pinstack:services:",
        "    backend:",
        "      image: ghcr.io/example/backend",
        ...(options.tag !== undefined ? [`      tag: "${options.tag}"`] : []),
        ...(options.digest !== undefined ? [`      digest: ${options.digest}`] : []),
        "      scheme: calver",
        "      port: 8000",
        ...(options.provenance ? [`      provenance: ${JSON.stringify(options.provenance)}`] : []),
        "  pinstack:packages:",
        "    ukrdc-services:",
        `      version: "${options.version ?? "10.8.5"}"`,
        "      channel: release",
        ...(options.packageProvenance ? [`      provenance: ${JSON.stringify(options.packageProvenance)}`] : []),
        ...(options.extra ? [options.extra] : []),
    ];
    return lines.join("\n") + "\n";
}
