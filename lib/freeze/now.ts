import { badInput } from "../errors";

/**
 * The time a command judges freezes by: `--now` when given, else $PINSTACK_NOW, else the clock.
 * Both overrides exist so that tests and a release manager asking "would this pass on Friday
 * at 17:00?" get the answer for that moment. An override that is not an ISO time with a zone
 * is bad input, never read as "now".
 */
export function currentTime(option: string | undefined, env: NodeJS.ProcessEnv = process.env): Date {
    const [text, source] = option !== undefined ? [option, "--now"] : env.PINSTACK_NOW ? [env.PINSTACK_NOW, "PINSTACK_NOW"] : [undefined, ""];
    if (text === undefined) return new Date();
    return parseInstant(text, source);
}

/** An ISO 8601 time with a zone (Z or ±HH:MM), e.g. 2026-12-18T17:00:00Z. */
export function parseInstant(text: string, source: string): Date {
    const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
    const date = new Date(text);
    if (!iso.test(text) || Number.isNaN(date.getTime())) {
        throw badInput(`${source}: '${text}' is not an ISO time with a zone`, { fix: `write e.g. ${source} 2026-12-18T17:00:00Z or 2026-12-18T17:00+01:00` });
    }
    return date;
}

/** ISO-8601 in UTC to the second, the form written into stack files and provenance. */
export function isoSeconds(date: Date): string {
    return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
