import { createHash } from "crypto";
import { CLIENT_SCRIPT } from "./client";
import type { Board, BoardCell, BoardRow, BoardStack } from "./model";

/**
 * The board as one self-contained HTML page: inline CSS, inline script, SVG drawn in the page,
 * no request to anything (a Content-Security-Policy says so: `default-src 'none'`), so it
 * opens from file://, a CI artifact or GitHub Pages alike.
 *
 * Everything on the board is user-written text (reasons, commit messages, names), so:
 * the server-rendered part (the pin matrix, readable without script) goes through escapeHtml;
 * the data travels as JSON in a non-executed `<script type="application/json">` with every
 * `<` escaped; the script builds the rest with textContent and createElement, never innerHTML;
 * and the policy admits only that one script, by its hash, so markup that slipped through
 * would still not run.
 *
 * The timelines, histories and lead-time plot are drawn by the script from the data, a page of
 * them at a time: a board of years of releases stays a page that opens in a second.
 */

export function escapeHtml(text: string): string {
    return text.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch] as string);
}

/** JSON that can sit inside a `<script>` element: no `<` (so no `</script>` or `<!--`), no line separators. */
export function jsonForScript(value: unknown): string {
    return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

export function renderBoardHtml(board: Board): string {
    const scriptHash = createHash("sha256").update(CLIENT_SCRIPT).digest("base64");
    const csp = `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-${scriptHash}'`;
    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Release board — pinstack</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Release board</h1>
<p class="summary">${summary(board)}</p>
${warnings(board.stacks)}
<nav aria-label="Sections"><a href="#matrix">What runs where</a> · <a href="#timelines">Timelines</a> · <a href="#history">Stack history</a> · <a href="#lead-time">Lead time</a> · <a href="board.json">board.json</a></nav>
</header>
${filters(board)}
<main>
<section id="matrix" aria-labelledby="matrix-title">
<h2 id="matrix-title">What runs where</h2>
${legend()}
${matrixTable(board)}
</section>
<section id="timelines" aria-labelledby="timelines-title">
<h2 id="timelines-title">Timelines</h2>
<p class="hint">One chart per service: time runs left to right, one lane per stack. Shapes tell the kind of event, a cross a failed update, a hollow shape a change not deployed; the list under each chart says the same in words, oldest first.</p>
<div id="timeline-list"><p class="noscript">The timelines are drawn by the page's script; board.json has the same data.</p></div>
</section>
<section id="history" aria-labelledby="history-title">
<h2 id="history-title">Stack history</h2>
<p class="hint">Every Pulumi update of each stack, newest first, joined with the commit of the stack file it ran, and the changes not deployed yet.</p>
<div id="history-list"></div>
</section>
<section id="lead-time" aria-labelledby="lead-title">
<h2 id="lead-title">Lead time to production</h2>
<p class="hint">From the commit that changed the production stack file to the end of the first successful production update that ran it.</p>
<div id="lead-list"></div>
</section>
</main>
<dialog id="json-view" aria-labelledby="json-title"><h2 id="json-title">JSON</h2><pre id="json-text"></pre><form method="dialog"><button>Close</button></form></dialog>
<script type="application/json" id="board-data">${jsonForScript(board)}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}

function summary(board: Board): string {
    const stacks = board.stacks
        .map((s) => `<strong>${escapeHtml(s.name)}</strong>${s.hold ? ` <span class="mark held">⏸ on hold${s.holdReason ? `: ${escapeHtml(s.holdReason)}` : ""}</span>` : ""}${s.frozen ? ` <span class="mark held">❄ frozen: ${escapeHtml(s.frozen)}</span>` : ""}`)
        .join(" → ");
    const range = board.since || board.until ? ` History from ${escapeHtml(board.since ?? "the start")} to ${escapeHtml(board.until ?? "now")}.` : "";
    return `Stacks in promotion order: ${stacks}. Generated <time datetime="${escapeHtml(board.generatedAt)}">${escapeHtml(board.generatedAt)}</time>: ${board.matrix.length} services and packages, ${board.events.length} events, ${board.updates.length} Pulumi updates.${range}`;
}

function warnings(stacks: readonly BoardStack[]): string {
    const shown = stacks.filter((s) => s.warning);
    if (!shown.length) return "";
    return `<ul class="warnings" role="status">${shown.map((s) => `<li>${escapeHtml(s.name)}: Pulumi updates missing (${escapeHtml(s.warning as string)})</li>`).join("")}</ul>`;
}

function filters(board: Board): string {
    const services = [...new Set([...board.matrix.map((r) => r.name), ...board.events.filter((e) => e.current).map((e) => e.current)])];
    const option = (value: string) => `<option value="${escapeHtml(value)}">${escapeHtml(value)}</option>`;
    return `<form id="filters" role="search" aria-label="Filter the board">
<label>Service <select id="filter-service" name="service"><option value="">all</option>${services.map(option).join("")}</select></label>
<label>Stack <select id="filter-stack" name="stack"><option value="">all</option>${board.stacks.map((s) => option(s.name)).join("")}</select></label>
<label>From <input id="filter-from" name="from" type="date"></label>
<label>To <input id="filter-to" name="to" type="date"></label>
<button type="reset">Clear</button>
<output id="filter-count" aria-live="polite"></output>
</form>`;
}

function legend(): string {
    return `<p class="legend">Each cell: version, short digest, and marks: <span class="mark first">★ first here</span> no earlier stage ran this pin; <span class="mark held">⏸ held</span> the stack is on hold, <span class="mark held">❄ frozen</span> it is in a freeze (only rollbacks pass); <span class="mark drift">≠ drift</span> the stacks run different pins.</p>`;
}

function matrixTable(board: Board): string {
    const head = board.stacks
        .map((s) => `<th scope="col" data-stack="${escapeHtml(s.name)}">${escapeHtml(s.name)}${s.hold ? ' <span class="mark held">⏸ held</span>' : ""}${s.frozen ? ' <span class="mark held">❄ frozen</span>' : ""}</th>`)
        .join("");
    const rows = board.matrix.map((row) => matrixRow(row, board.stacks)).join("\n");
    return `<table class="matrix">
<caption>Pins now, one row per service and package, one column per stack in promotion order</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Kind</th>${head}<th scope="col">State</th><th scope="col">Data</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}

function matrixRow(row: BoardRow, stacks: readonly BoardStack[]): string {
    const former = row.formerNames.length ? ` <span class="former">(was ${escapeHtml(row.formerNames.join(", "))})</span>` : "";
    const cells = stacks.map((s) => matrixCell(s.name, row.cells[s.name])).join("");
    return `<tr data-id="${escapeHtml(row.id)}" data-service="${escapeHtml(row.name)}" data-former="${escapeHtml(row.formerNames.join(" "))}"><th scope="row">${escapeHtml(row.name)}${former}</th><td>${row.kind}</td>${cells}<td class="state">${escapeHtml(rowState(row))}</td><td><a class="json" href="#json/${escapeHtml(row.id)}" data-json="${escapeHtml(row.id)}">JSON</a></td></tr>`;
}

function matrixCell(stack: string, cell: BoardCell | undefined): string {
    if (!cell || !cell.pin) return `<td data-stack="${escapeHtml(stack)}" class="cell none">—<span class="sr"> not on ${escapeHtml(stack)}</span></td>`;
    const marks = [cell.firstHere ? '<span class="mark first">★ first here</span>' : "", cell.held ? '<span class="mark held">⏸ held</span>' : ""].filter(Boolean).join(" ");
    const digest = cell.digest ? ` <code class="digest" title="${escapeHtml(cell.pin.digest ?? "")}">${escapeHtml(cell.digest)}</code>` : "";
    return `<td data-stack="${escapeHtml(stack)}" class="cell${cell.firstHere ? " first" : ""}"><span class="version">${escapeHtml(cell.version)}</span>${digest}${marks ? ` ${marks}` : ""}</td>`;
}

function rowState(row: BoardRow): string {
    const parts: string[] = [];
    if (row.tagMoved) parts.push("tag moved");
    if (row.missing.length) parts.push(`missing on ${row.missing.join(", ")}`);
    else if (row.drift) parts.push("≠ drift");
    return parts.length ? parts.join(", ") : "✓ in sync";
}

const STYLE = `
:root{color-scheme:light;--fg:#1b1b1b;--muted:#4a4a4a;--line:#c8c8c8;--bg:#fff;--alt:#f3f4f6;--bad:#a3001b;--good:#1b5e20;--warn:#6d4c00;--accent:#0b4f9c}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1400px;padding:1rem 1.5rem 3rem;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
h1{margin:.2rem 0}h2{margin-top:2rem;border-bottom:2px solid var(--line);padding-bottom:.2rem}h3{margin:1.2rem 0 .3rem}
a{color:var(--accent)}
.summary,.hint,.legend{color:var(--muted)}
.warnings{color:var(--warn)}
nav{margin:.5rem 0}
#filters{position:sticky;top:0;z-index:2;background:var(--alt);border:1px solid var(--line);padding:.5rem .75rem;display:flex;gap:1rem;flex-wrap:wrap;align-items:center}
#filters label{font-weight:600}
#filters select,#filters input,#filters button{font:inherit;margin-left:.3rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
caption{text-align:left;color:var(--muted);padding:.3rem 0}
th,td{border:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
thead th{background:var(--alt)}
tbody th{font-weight:600}
code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace}
.digest{color:var(--muted)}
.mark{display:inline-block;font-size:12px;border:1px solid currentColor;border-radius:3px;padding:0 .25rem;white-space:nowrap}
.mark.first{color:var(--accent)}.mark.held{color:var(--warn)}.mark.drift{color:var(--warn)}
.cell.first{background:#eef4fc}
.cell.none{color:var(--muted)}
.former{color:var(--muted);font-weight:400}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
.result-failed{color:var(--bad);font-weight:700}.result-succeeded{color:var(--good)}
tr.failed{background:#fdecee}
figure{margin:1rem 0;border:1px solid var(--line);padding:.5rem}
#timeline-list figure{content-visibility:auto;contain-intrinsic-size:auto 420px}
figure svg{width:100%;height:auto;display:block}
figcaption h3{margin:0 0 .3rem}
ol.events{margin:.3rem 0;padding-left:1.6rem}
ol.events li{margin:.15rem 0}
ol.events li.failed{color:var(--bad)}
.kind{font-weight:700}
button.more{font:inherit;margin:.5rem 0}
dialog{max-width:min(900px,95vw);max-height:85vh;overflow:auto}
pre{white-space:pre-wrap;word-break:break-all;font:13px ui-monospace,monospace}
[hidden]{display:none!important}
`;
