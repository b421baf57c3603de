import { createHash } from "crypto";
import type { Options } from "ajv";
import { canonicalJson } from "../../provenance";

/** The ajv options of the stack-config validator, the same for the generated and the run-time compiled one. */
export const AJV_OPTIONS: Options = { allErrors: true, verbose: true, strict: true, strictTypes: false };

/** Identifies a schema's content, so a generated validator can tell whether it is current. */
export function schemaHash(schema: unknown): string {
    return createHash("sha256").update(canonicalJson(schema)).digest("hex");
}
