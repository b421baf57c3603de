import type { SchemeName } from "../model";

/** A value a scheme accepted, or the reason it did not. */
export type SchemeParse<T> = { readonly ok: true; readonly version: T } | { readonly ok: false; readonly error: string };

/**
 * A tag / version scheme (like Kargo's selector strategies): one module each, all
 * registered in lib/schemes. `compare` and `isPrerelease` take the written values.
 */
export interface TagScheme<T = unknown> {
    readonly name: SchemeName;
    /** One line for help text and messages, e.g. "calver YYYY.MM.N (2023.06.1)". */
    readonly description: string;
    /** A value the scheme accepts, used in messages that say what to write instead. */
    readonly example: string;
    /** Whether values have a meaningful order (commit hashes do not). */
    readonly ordered: boolean;
    parse(value: string): SchemeParse<T>;
    /**
     * Negative when a < b, 0 when equal, positive when a > b. Throws a PinstackError
     * (bad input) when either value does not parse.
     */
    compare(a: string, b: string): number;
    /** True for a release candidate / prerelease; false for a final release or an invalid value. */
    isPrerelease(value: string): boolean;
    /** True when the value carries build metadata (`+build.5`); false otherwise. */
    hasBuildMetadata(value: string): boolean;
}
