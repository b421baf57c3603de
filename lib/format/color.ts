/** ANSI styles used by the tables and reports. */
export type Style = "bold" | "dim" | "red" | "green" | "yellow" | "cyan";

const CODES: Record<Style, [number, number]> = {
    bold: [1, 22],
    dim: [2, 22],
    red: [31, 39],
    green: [32, 39],
    yellow: [33, 39],
    cyan: [36, 39],
};

/**
 * Whether to colour output written to `stream`: only on a TTY, and never when NO_COLOR is
 * set (no-color.org) or TERM=dumb. FORCE_COLOR=1 turns it on for demos.
 */
export function colorEnabled(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
    if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
    if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true;
    return stream.isTTY === true && env.TERM !== "dumb";
}

/** A painter: wraps text in ANSI codes when enabled, returns it unchanged otherwise. */
export function painter(enabled: boolean): (style: Style, text: string) => string {
    return (style, text) => (enabled ? `\u001b[${CODES[style][0]}m${text}\u001b[${CODES[style][1]}m` : text);
}

/** The visible width of text that may contain ANSI codes. */
export function visibleLength(text: string): number {
    // eslint-disable-next-line no-control-regex
    return text.replace(/\u001b\[[0-9;]*m/g, "").length;
}
