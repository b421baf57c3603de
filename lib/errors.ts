import type { SourceLocation } from "./model";

/** Exit codes, the same for every command (README: "Exit codes everywhere"). */
export const ExitCode = {
    ok: 0,
    /**
     * Refused by a rule, or the check found violations; also a registry that cannot be reached or
     * whose answer cannot be trusted (lib/registry): either way the pin could not be checked.
     */
    refused: 1,
    /** Bad input: unreadable or malformed file, unknown stack or service, invalid reference or version. */
    badInput: 2,
    /**
     * pinstack itself failed (an error it did not expect: a bug), never the input. Its own code so
     * CI and scripts that act on "bad input" (fix the file) do not take a crash for one.
     */
    internal: 3,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * An error the user can act on. `what` is one line of what happened, `why` one of
 * why, `fix` one of what to do; `location` names file, line and key when there is one.
 */
export class PinstackError extends Error {
    constructor(
        readonly exitCode: ExitCodeValue,
        readonly what: string,
        readonly why?: string,
        readonly fix?: string,
        readonly location?: SourceLocation,
    ) {
        super(formatMessage(what, location));
        this.name = "PinstackError";
    }
}

/** Bad input (exit 2). */
export function badInput(what: string, opts: { why?: string; fix?: string; location?: SourceLocation } = {}): PinstackError {
    return new PinstackError(ExitCode.badInput, what, opts.why, opts.fix, opts.location);
}

/** Refused by a rule (exit 1). */
export function refused(what: string, opts: { why?: string; fix?: string; location?: SourceLocation } = {}): PinstackError {
    return new PinstackError(ExitCode.refused, what, opts.why, opts.fix, opts.location);
}

/**
 * A PinstackError for people: its message, then `  why: ...` and `  fix: ...` lines. The CLI
 * prints it after "error: "; the program stops with it and Pulumi adds the same "error: ".
 */
export function errorText(err: PinstackError): string {
    return [err.message, ...(err.why ? [`  why: ${err.why}`] : []), ...(err.fix ? [`  fix: ${err.fix}`] : [])].join("\n");
}

/** `file:line:column: key: message`, the form editors and CI annotations understand. */
export function formatLocation(location: SourceLocation): string {
    const position = location.line > 0 ? `:${location.line}${location.column > 0 ? `:${location.column}` : ""}` : "";
    return `${location.file}${position}${location.key ? `: ${location.key}` : ""}`;
}

function formatMessage(what: string, location?: SourceLocation): string {
    return location ? `${formatLocation(location)}: ${what}` : what;
}
