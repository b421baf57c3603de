/**
 * Prerelease markers in a tag of any shape, for images whose tag follows no declared scheme
 * (sidecars, init containers, verify-image without --service) and on top of a declared one:
 * semver and PEP 440 only see markers in the places their grammars have them, so
 * `2023.06.1-rc1` (a zero-padded month neither parses), `v1.2rc1` and `v1.4.0.rc1` read as
 * nothing at all.
 *
 * The boundary, tested against a corpus of real-world tags (tests/unit/lib/schemes/prerelease.test.ts):
 * a tag is split into runs of letters, runs of digits and separators (`.`, `-`, `_`);
 * - a **whole letter run** that is a marker word, in any case, is a prerelease: `rc`, `alpha`,
 *   `beta`, `dev`, `pre`, `preview`, `prerelease`, `snapshot`, `canary`, `nightly`, `exp`,
 *   `experimental`, `ea` (`2023.06.1rc1`, `1.0.0-SNAPSHOT`, `8.0-preview`, `3.12-dev`);
 *   a word that merely contains one (`predator`, `devops`, `alpine`, `devel`, `src`) is not;
 * - a **single letter** `a`, `b`, `c` (PEP 440) or `m` (a milestone) is one only right after a
 *   dotted version, optionally after one separator, and followed by digits and then the end or a
 *   separator, or by the end itself (`2.0b1`, `1.0a2`, `3.12.0b1-slim`, `5.0.0-M1`): a commit
 *   hash (`a1b2c3d`, `1.2.3-a1b2c3d`) has letters and digits mixed, never that shape;
 * - anything else is a variant or a build, not a prerelease: `1.25.3-alpine`,
 *   `15.4-debian-12-r7`, `1.2.3-1`, and the semver prerelease identifiers without a marker
 *   word (`1.0.0-x.7.z.92`) when no scheme says the tag is semver.
 */

const MARKER_WORDS: ReadonlySet<string> = new Set(["rc", "alpha", "beta", "dev", "pre", "preview", "prerelease", "snapshot", "canary", "nightly", "exp", "experimental", "ea"]);
const MARKER_LETTERS: ReadonlySet<string> = new Set(["a", "b", "c", "m"]);

/** Where a prerelease marker sits in a tag. */
export interface PrereleaseMarker {
    /** The marker as written: `rc`, `SNAPSHOT`, `b`. */
    readonly marker: string;
    /** Its offset in the tag: what comes before it is the release it leads to. */
    readonly index: number;
}

const TOKEN = /[A-Za-z]+|\d+|[^A-Za-z\d]+/g;
const SEPARATOR = /^[-._]$/;

/** The first prerelease marker in `tag`, or undefined when it has none (see the boundary above). */
export function prereleaseMarker(tag: string): PrereleaseMarker | undefined {
    const tokens: { text: string; index: number }[] = [];
    for (const match of tag.matchAll(TOKEN)) tokens.push({ text: match[0], index: match.index ?? 0 });
    for (let i = 0; i < tokens.length; i++) {
        const { text, index } = tokens[i];
        if (!/^[A-Za-z]/.test(text)) continue;
        const word = text.toLowerCase();
        if (MARKER_WORDS.has(word)) return { marker: text, index };
        if (MARKER_LETTERS.has(word) && followsDottedVersion(tokens, i) && endsMarker(tokens, i)) return { marker: text, index };
    }
    return undefined;
}

/** True for `rc1`-style tags: see prereleaseMarker. */
export function hasPrereleaseMarker(tag: string): boolean {
    return prereleaseMarker(tag) !== undefined;
}

/** The tokens before `i` end in `N.N[.N...]`, optionally followed by one separator. */
function followsDottedVersion(tokens: readonly { text: string }[], i: number): boolean {
    let j = i - 1;
    if (j >= 0 && SEPARATOR.test(tokens[j].text)) j--;
    let parts = 0;
    while (j >= 0 && /^\d+$/.test(tokens[j].text)) {
        parts++;
        if (j >= 1 && tokens[j - 1].text === ".") j -= 2;
        else break;
    }
    return parts >= 2;
}

/** After the letter at `i`: the end, a separator, or digits followed by the end or a separator. */
function endsMarker(tokens: readonly { text: string }[], i: number): boolean {
    const next = tokens[i + 1];
    if (next === undefined || SEPARATOR.test(next.text)) return true;
    if (!/^\d+$/.test(next.text)) return false;
    const after = tokens[i + 2];
    return after === undefined || SEPARATOR.test(after.text);
}
