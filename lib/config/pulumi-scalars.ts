/**
 * Plain (unquoted) YAML scalars as the Pulumi CLI reads them. Pulumi decodes a stack file with
 * Go's gopkg.in/yaml.v3 into `any` and hands nested values to the program as JSON
 * (sdk/go/common/resource/config/object.go): a number stays a number, a time becomes Go's
 * time.String() text. yaml.v3 is not YAML 1.2's core schema, which js-yaml follows: `010` is
 * octal 8 to Go (10 to js-yaml), `1_000` and `0b101` are numbers to Go (strings to js-yaml).
 * Written here because no JavaScript YAML library reads scalars the way yaml.v3 does; the
 * rules follow yaml.v3's resolve.go, and tests/unit/lib/config/pulumi-scalars.test.ts holds
 * the answers the real CLI gave for each case.
 */

// yaml.v3's yamlStyleFloat.
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const SPECIAL_FLOATS: Readonly<Record<string, number>> = {
    ".inf": Infinity, ".Inf": Infinity, ".INF": Infinity,
    "+.inf": Infinity, "+.Inf": Infinity, "+.INF": Infinity,
    "-.inf": -Infinity, "-.Inf": -Infinity, "-.INF": -Infinity,
    ".nan": NaN, ".NaN": NaN, ".NAN": NaN,
};

/** The number Pulumi reads for a plain scalar, or undefined when it reads a string (or a time, a bool, null). */
export function pulumiNumber(source: string): number | undefined {
    if (source in SPECIAL_FLOATS) return SPECIAL_FLOATS[source];
    // A time (`2023-04-02`) has `-` or `:` inside, which neither the int nor the float form allows.
    if (!/^[-+0-9.]/.test(source)) return undefined;
    const plain = source.replace(/_/g, "");
    const int = goParseInt(plain);
    if (int !== undefined) return int;
    if (YAML_STYLE_FLOAT.test(plain)) return Number(plain);
    return undefined;
}

/** Go's strconv.ParseInt(s, 0, 64) and ParseUint: sign, 0x / 0o / 0b prefixes, and a leading 0 for octal. */
function goParseInt(s: string): number | undefined {
    const match = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
    if (!match) return undefined;
    const [, sign, digits] = match;
    let value: number;
    if (/^0[xXoObB]/.test(digits)) value = Number(digits.toLowerCase());
    else if (digits.length > 1 && digits[0] === "0") value = parseInt(digits, 8);
    else value = Number(digits);
    return sign === "-" ? -value : value;
}

// yaml.v3's allowedTimestampFormats, as Go's time.Parse reads them (short fields allowed).
const DATE = "(\\d{4})-(\\d{1,2})-(\\d{1,2})";
const CLOCK = "(\\d{1,2}):(\\d{1,2}):(\\d{1,2})(\\.\\d{1,9})?";
const TIMESTAMPS = [
    new RegExp(`^${DATE}[Tt]${CLOCK}(Z|[+-]\\d{2}:\\d{2})$`),
    new RegExp(`^${DATE} ${CLOCK}$`),
    new RegExp(`^${DATE}$`),
];

/** True when Pulumi reads the plain scalar as a time (yaml.v3's timestamps, which time.Parse accepts). */
export function pulumiTime(source: string): boolean {
    for (const format of TIMESTAMPS) {
        const match = format.exec(source);
        if (!match) continue;
        const [, year, month, day, hour = "0", minute = "0", second = "0"] = match;
        const daysInMonth = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
        return Number(month) >= 1 && Number(month) <= 12 && Number(day) >= 1 && Number(day) <= daysInMonth && Number(hour) < 24 && Number(minute) < 60 && Number(second) < 60;
    }
    return false;
}

/**
 * The text a program gets for a top-level scalar Pulumi read as a number (Go's JSON form of
 * it), e.g. "1.2" for `1.20`; nested numbers reach the program as JSON numbers, not text.
 */
export function pulumiNumberText(value: number): string {
    return Number.isInteger(value) && Math.abs(value) < 1e21 ? String(value) : JSON.stringify(value) ?? String(value);
}
