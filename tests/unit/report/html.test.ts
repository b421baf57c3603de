import { strict as assert } from "assert";
import { createHash } from "crypto";
import { BOARD_FORMAT, Board, escapeHtml, jsonForScript, renderBoardHtml } from "../../../lib/report";
import { CLIENT_SCRIPT } from "../../../lib/report/client";

const HOSTILE = `</script><script>alert(1)</script><!-- & "quoted" 'single'`;

function hostileBoard(): Board {
    const cell = (stack: string) => ({ pin: { image: "ghcr.io/x/api", tag: HOSTILE }, text: HOSTILE, version: HOSTILE, digest: "", held: stack === "production", firstHere: false });
    return {
        format: BOARD_FORMAT,
        generatedAt: "2026-03-10T00:00:00.000Z",
        since: null,
        until: null,
        stacks: [
            { name: "staging", environment: "staging", hold: false, holdReason: null, frozen: HOSTILE, warning: HOSTILE },
            { name: "production", environment: "production", hold: true, holdReason: HOSTILE, frozen: null, warning: null },
        ],
        matrix: [{ id: "svc-api", kind: "service", name: "api", cells: { staging: cell("staging"), production: cell("production") }, drift: false, missing: [], tagMoved: false, formerNames: [HOSTILE] }],
        changes: [],
        events: [],
        updates: [],
        releases: [],
    };
}

describe("the board page (lib/report/html)", () => {
    it("escapeHtml leaves no markup: < > & and both quotes", () => {
        assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
    });

    it("the data's JSON cannot end its <script> element or open a comment, and parses back to the same value", () => {
        const text = jsonForScript({ reason: HOSTILE, sep: "a\u2028b" });
        assert.equal(/<|\u2028/.test(text), false);
        assert.deepEqual(JSON.parse(text), { reason: HOSTILE, sep: "a\u2028b" });
    });

    it("user-written text appears escaped in the page; the only scripts are the data and the board's own", () => {
        const html = renderBoardHtml(hostileBoard());
        assert.equal(html.includes("<script>alert(1)</script>"), false);
        assert.ok(html.includes("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"), "shown as text in the matrix and hold reason");
        assert.deepEqual(html.match(/<script[^>]*>/g), ['<script type="application/json" id="board-data">', "<script>"]);
    });

    it("a Content-Security-Policy allows no network and only the board's script, by its hash", () => {
        const html = renderBoardHtml(hostileBoard());
        const csp = (/http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? "").replace(/&#39;/g, "'");
        assert.match(csp, /default-src 'none'/);
        const hash = createHash("sha256").update(CLIENT_SCRIPT).digest("base64");
        assert.ok(csp.includes(`script-src 'sha256-${hash}'`), csp);
        assert.ok(html.includes(`<script>${CLIENT_SCRIPT}</script>`), "the inlined script is exactly the hashed text");
        assert.equal(/\bsrc=|href="https?:/.test(html), false, "nothing loaded from elsewhere");
    });

    it("the matrix is a table with a caption, column headers and row headers, marks in words", () => {
        const html = renderBoardHtml(hostileBoard());
        assert.match(html, /<table class="matrix">\n<caption>/);
        assert.match(html, /<th scope="col" data-stack="production">production <span class="mark held">⏸ held<\/span><\/th>/);
        assert.match(html, /<th scope="col" data-stack="staging">staging <span class="mark held">❄ frozen<\/span><\/th>/);
        assert.ok(html.includes("❄ frozen: &lt;/script&gt;"), "the freeze is described, escaped, next to the stack");
        assert.match(html, /<th scope="row">api <span class="former">\(was &lt;\/script&gt;/);
    });
});
