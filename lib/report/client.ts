/**
 * The board page's script (lib/report/html.ts inlines it; its CSP admits it by hash). Plain
 * ES2017 for any browser, no library. It reads the board's JSON and draws the timelines, the
 * stack histories and the lead-time plot a page at a time, applies the filters, and shows a
 * row's JSON. Text goes in with textContent only: the data is user-written.
 *
 * Kept as a string (String.raw, so no `${` or backtick inside) because it runs in the page,
 * not in Node: the type checker has no DOM here.
 */
export const CLIENT_SCRIPT = String.raw`
(function () {
"use strict";
var board = JSON.parse(document.getElementById("board-data").textContent);
var PAGE_TIMELINES = 12, PAGE_ROWS = 100, PAGE_RELEASES = 50, PAGE_CHANGES = 8;
var SVG = "http://www.w3.org/2000/svg";
var stackNames = board.stacks.map(function (s) { return s.name; });
var byId = {};
[board.matrix, board.changes, board.events, board.updates, board.releases].forEach(function (list) { list.forEach(function (x) { byId[x.id] = x; }); });
// Each event with its change's commit, who and why, and the update that deployed it (the JSON view shows the rows as stored).
var events = board.events.map(function (e) {
    var change = byId[e.change] || { updates: [] };
    return Object.assign({}, e, {
        commit: change.commit, author: change.author, message: change.message,
        by: e.by || change.by, reason: e.reason || change.reason,
        update: change.updates.length ? byId[change.updates[0]] || null : null,
        reruns: Math.max(0, change.updates.length - 1)
    });
});
// The board's order (newest first; ties by stage, earlier stages first when read oldest first).
var order = {};
events.forEach(function (e, i) { order[e.id] = i; });
var eventsByCommit = {};
events.forEach(function (e) { var k = e.stack + "\u0000" + e.commit; (eventsByCommit[k] = eventsByCommit[k] || []).push(e); });
var shown = { timelines: PAGE_TIMELINES, rows: {}, releases: PAGE_RELEASES };

function el(tag, attrs, children) {
    var node = document.createElement(tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
}
function svg(tag, attrs, children) {
    var node = document.createElementNS(SVG, tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
}
function setAttrs(node, attrs) { for (var k in attrs || {}) if (attrs[k] !== null && attrs[k] !== undefined) node.setAttribute(k, String(attrs[k])); }
function append(node, children) {
    (children === undefined ? [] : Array.isArray(children) ? children : [children]).forEach(function (c) {
        if (c === null || c === undefined || c === false) return;
        node.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    });
}
function time(iso) { return iso ? iso.replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC") : ""; }
function short(commit) { return commit ? commit.slice(0, 7) : "working tree"; }
function duration(s) {
    if (s === null || s === undefined) return "";
    if (s < 120) return s + " s";
    if (s < 7200) return Math.round(s / 60) + " min";
    if (s < 172800) return (s / 3600).toFixed(1) + " h";
    return (s / 86400).toFixed(1) + " d";
}
function axisLabel(t, span) { var iso = new Date(t).toISOString(); return span < 5 * 86400e3 ? iso.slice(5, 10) + " " + iso.slice(11, 16) : iso.slice(0, 10); }
function jsonLink(id) { return el("a", { href: "#json/" + id, "class": "json", "data-json": id }, "JSON"); }

function filters() {
    var from = document.getElementById("filter-from").value, to = document.getElementById("filter-to").value;
    return {
        service: document.getElementById("filter-service").value,
        stack: document.getElementById("filter-stack").value,
        from: from ? Date.parse(from + "T00:00:00Z") : -Infinity,
        to: to ? Date.parse(to + "T23:59:59.999Z") : Infinity
    };
}
function inTime(f, iso) { var t = Date.parse(iso); return t >= f.from && t <= f.to; }
function eventMatches(f, e) {
    if (f.stack && e.stack !== f.stack) return false;
    if (f.service && e.subject !== "stack" && e.current !== f.service) return false;
    return inTime(f, e.at);
}

var KIND_TEXT = { promote: "promote", rollback: "rollback", hold: "hold", "hold-clear": "hold lifted", freeze: "freeze", "freeze-clear": "freeze lifted", edit: "hand edit", "break-glass": "break-glass", rename: "rename" };
var STACK_TEXT = { hold: "stack put on hold", "hold-clear": "hold lifted", freeze: "stack frozen", "freeze-clear": "freeze lifted" };
function eventResult(e) {
    if (!e.update) return "not deployed";
    return "update " + e.update.version + " " + e.update.result + (e.update.durationSeconds !== null ? " in " + duration(e.update.durationSeconds) : "");
}
function eventText(e) {
    var what = e.subject === "stack" ? STACK_TEXT[e.kind] + (e.after && e.kind === "freeze" ? " (" + e.after + ")" : "") : e.name + ": " + (e.before || "(none)") + " → " + (e.after || "(removed)");
    return [time(e.at), e.stack, KIND_TEXT[e.kind] || e.kind, what, e.from ? "from " + e.from : "", "by " + (e.by || "?"), e.reason ? "“" + e.reason + "”" : "", "commit " + short(e.commit), eventResult(e)].filter(Boolean).join(" · ");
}

// Marker shapes, so kinds read without colour: circle promote, triangle rollback, square hold, hollow square hold lifted,
// hexagon freeze, hollow hexagon freeze lifted, diamond hand edit, star break-glass, bar rename. A cross over the marker: the update failed.
function marker(kind, x, y, hollow) {
    var fill = hollow ? "#ffffff" : "#0b4f9c", stroke = "#0b4f9c";
    var a = { fill: fill, stroke: stroke, "stroke-width": 1.5 };
    function with_(extra) { for (var k in a) extra[k] = a[k]; return extra; }
    switch (kind) {
    case "rollback": return svg("polygon", with_({ points: [x, y - 7, x - 7, y + 6, x + 7, y + 6].join(" ") }));
    case "hold": return svg("rect", with_({ x: x - 6, y: y - 6, width: 12, height: 12, fill: "#6d4c00", stroke: "#6d4c00" }));
    case "hold-clear": return svg("rect", with_({ x: x - 6, y: y - 6, width: 12, height: 12, fill: "#ffffff", stroke: "#6d4c00" }));
    case "freeze": return svg("polygon", with_({ points: hexagon(x, y), fill: "#00566b", stroke: "#00566b" }));
    case "freeze-clear": return svg("polygon", with_({ points: hexagon(x, y), fill: "#ffffff", stroke: "#00566b" }));
    case "edit": return svg("polygon", with_({ points: [x, y - 7, x + 7, y, x, y + 7, x - 7, y].join(" ") }));
    case "break-glass": return svg("polygon", with_({ points: star(x, y), fill: hollow ? "#ffffff" : "#a3001b", stroke: "#a3001b" }));
    case "rename": return svg("rect", with_({ x: x - 2, y: y - 8, width: 4, height: 16 }));
    default: return svg("circle", with_({ cx: x, cy: y, r: 6 }));
    }
}
function hexagon(x, y) {
    var pts = [];
    for (var i = 0; i < 6; i++) { var t = Math.PI / 3 * i; pts.push((x + 7 * Math.cos(t)).toFixed(1) + "," + (y + 7 * Math.sin(t)).toFixed(1)); }
    return pts.join(" ");
}
function star(x, y) {
    var pts = [];
    for (var i = 0; i < 10; i++) { var r = i % 2 ? 3.5 : 8, t = Math.PI / 5 * i - Math.PI / 2; pts.push((x + r * Math.cos(t)).toFixed(1) + "," + (y + r * Math.sin(t)).toFixed(1)); }
    return pts.join(" ");
}

function timeRange(f, events) {
    var lo = Infinity, hi = -Infinity;
    events.forEach(function (e) { var t = Date.parse(e.at); if (t < lo) lo = t; if (t > hi) hi = t; });
    if (isFinite(f.from)) lo = f.from;
    if (isFinite(f.to) && f.to < Date.now() * 2) hi = Math.min(f.to, Math.max(hi, lo));
    if (!(hi > lo)) { hi = lo + 3600e3; lo = lo - 3600e3; }
    return [lo, hi];
}

function timelineChart(service, events, lanes, range) {
    var W = 1000, left = 110, right = 20, laneH = 34, top = 10, H = top + lanes.length * laneH + 30;
    var x = function (t) { return left + (W - left - right) * (t - range[0]) / (range[1] - range[0]); };
    var title = "Timeline of " + service + ": " + events.length + " events on " + lanes.join(", ");
    var chart = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": title, "data-service": service });
    lanes.forEach(function (lane, i) {
        var y = top + i * laneH + laneH / 2;
        chart.appendChild(svg("line", { x1: left, x2: W - right, y1: y, y2: y, stroke: "#c8c8c8" }));
        chart.appendChild(svg("text", { x: 4, y: y + 4, "font-size": 13, fill: "#1b1b1b" }, lane));
    });
    var axisY = top + lanes.length * laneH + 16;
    for (var k = 0; k <= 4; k++) {
        var t = range[0] + (range[1] - range[0]) * k / 4;
        chart.appendChild(svg("text", { x: x(t), y: axisY, "font-size": 11, fill: "#4a4a4a", "text-anchor": k === 0 ? "start" : k === 4 ? "end" : "middle" }, axisLabel(t, range[1] - range[0])));
    }
    events.forEach(function (e) {
        var lane = lanes.indexOf(e.stack);
        if (lane < 0) return;
        var cx = x(Date.parse(e.at)), cy = top + lane * laneH + laneH / 2;
        var g = svg("g", { "class": "event", "data-id": e.id, "data-kind": e.kind, "data-result": e.update ? e.update.result : "not-deployed" });
        g.appendChild(svg("title", {}, eventText(e)));
        g.appendChild(marker(e.kind, cx, cy, !e.update));
        if (e.update && e.update.result === "failed") {
            g.appendChild(svg("path", { d: "M" + (cx - 8) + " " + (cy - 8) + "L" + (cx + 8) + " " + (cy + 8) + "M" + (cx + 8) + " " + (cy - 8) + "L" + (cx - 8) + " " + (cy + 8), stroke: "#a3001b", "stroke-width": 3 }));
        }
        chart.appendChild(g);
    });
    return chart;
}

function renderTimelines(f) {
    var box = document.getElementById("timeline-list");
    box.textContent = "";
    var names = [];
    board.matrix.forEach(function (r) { if (names.indexOf(r.name) < 0) names.push(r.name); });
    events.forEach(function (e) { if (e.current && names.indexOf(e.current) < 0) names.push(e.current); });
    if (f.service) names = names.filter(function (n) { return n === f.service; });
    var lanes = f.stack ? [f.stack] : stackNames;
    var all = events.filter(function (e) { return eventMatches(f, e); });
    var range = timeRange(f, all);
    var byName = {}, stackEvents = [];
    all.forEach(function (e) { if (e.subject === "stack") stackEvents.push(e); else (byName[e.current] = byName[e.current] || []).push(e); });
    var drawn = 0, withEvents = names.filter(function (n) { return byName[n]; });
    withEvents.slice(0, shown.timelines).forEach(function (name) {
        var lane = byName[name].concat(stackEvents).sort(function (a, b) { return order[b.id] - order[a.id]; });
        var list = el("ol", { "class": "events", "aria-label": "Events of " + name + ", oldest first" }, lane.map(function (e) {
            var failed = e.update && e.update.result === "failed";
            return el("li", { "data-id": e.id, "data-stack": e.stack, "data-kind": e.kind, "class": failed ? "failed" : null }, [
                failed ? el("strong", {}, "✕ FAILED ") : null,
                el("span", { "class": "kind" }, (KIND_TEXT[e.kind] || e.kind) + " "), eventText(e), " ", jsonLink(e.id)
            ]);
        }));
        box.appendChild(el("figure", { "data-service": name }, [el("figcaption", {}, el("h3", {}, name)), timelineChart(name, lane, lanes, range), list]));
        drawn++;
    });
    if (!withEvents.length) box.appendChild(el("p", {}, "No events match the filters."));
    if (withEvents.length > drawn) box.appendChild(moreButton("Show more services (" + (withEvents.length - drawn) + " more)", function () { shown.timelines += PAGE_TIMELINES; renderTimelines(filters()); }));
}

function moreButton(label, onClick) { var b = el("button", { type: "button", "class": "more" }, label); b.addEventListener("click", onClick); return b; }

function historyRows(stack, f) {
    var rows = [];
    var seenCommits = {};
    board.updates.forEach(function (u) {
        if (u.stack !== stack || !inTime(f, u.startTime)) return;
        var changes = u.commit ? (eventsByCommit[stack + "\u0000" + u.commit] || []) : [];
        if (f.service && !changes.some(function (e) { return e.current === f.service || e.subject === "stack"; })) return;
        if (u.commit) seenCommits[u.commit] = true;
        rows.push({ time: u.startTime, update: u, changes: changes, id: u.id });
    });
    var pending = {};
    events.forEach(function (e) {
        if (e.stack !== stack || e.update || seenCommits[e.commit] || !eventMatches(f, e)) return;
        var key = e.commit || "worktree";
        if (!pending[key]) { pending[key] = { time: e.at, update: null, changes: [], id: e.id }; rows.push(pending[key]); }
        pending[key].changes.push(e);
    });
    rows.sort(function (a, b) { return Date.parse(b.time) - Date.parse(a.time); });
    return rows;
}

function renderHistory(f) {
    var box = document.getElementById("history-list");
    box.textContent = "";
    (f.stack ? [f.stack] : stackNames).forEach(function (stack) {
        var rows = historyRows(stack, f);
        var limit = shown.rows[stack] || PAGE_ROWS;
        var body = el("tbody", {}, rows.slice(0, limit).map(function (r) {
            var u = r.update, failed = u && u.result === "failed";
            var changes = r.changes.slice(0, PAGE_CHANGES).map(function (e) { return el("div", {}, [el("span", { "class": "kind" }, (KIND_TEXT[e.kind] || e.kind) + " "), e.subject === "stack" ? STACK_TEXT[e.kind] : e.name + ": " + (e.before || "(none)") + " → " + (e.after || "(removed)"), " by " + (e.by || "?"), e.reason ? " “" + e.reason + "”" : ""]); });
            var resources = u && u.resourceChanges ? Object.keys(u.resourceChanges).map(function (k) { return k + " " + u.resourceChanges[k]; }).join(", ") : "";
            return el("tr", { "data-id": r.id, "data-stack": stack, "class": failed ? "failed" : null }, [
                el("td", {}, time(r.time)),
                el("td", {}, u ? "pulumi " + u.kind + " " + u.version : "—"),
                el("td", { "class": u ? "result-" + u.result : "" }, u ? (failed ? "✕ failed" : u.result === "succeeded" ? "✓ succeeded" : u.result) : "not deployed"),
                el("td", {}, u ? duration(u.durationSeconds) : ""),
                el("td", {}, el("code", {}, u ? (u.commit ? short(u.commit) : "no commit") : short(r.changes[0].commit))),
                el("td", {}, changes.length ? changes.concat(r.changes.length > PAGE_CHANGES ? [el("div", { "class": "hint" }, "… and " + (r.changes.length - PAGE_CHANGES) + " more (JSON: the change's events)")] : []) : (u && !u.commit ? "config that no commit of the stack file has" : "")),
                el("td", {}, [u ? u.message : "", resources ? el("div", { "class": "hint" }, "resources: " + resources) : null]),
                el("td", {}, jsonLink(r.id))
            ]);
        }));
        var head = el("thead", {}, el("tr", {}, ["Started", "Update", "Result", "Duration", "Commit", "Changes", "Message", "Data"].map(function (h) { return el("th", { scope: "col" }, h); })));
        var section = el("div", { "data-stack": stack }, [el("h3", {}, stack), el("table", { "class": "history", "data-stack": stack }, [el("caption", {}, "Pulumi updates and stack file changes of " + stack + ", newest first (" + rows.length + ")"), head, body])]);
        if (rows.length > limit) section.appendChild(moreButton("Show " + Math.min(PAGE_ROWS, rows.length - limit) + " more of " + stack, function () { shown.rows[stack] = limit + PAGE_ROWS; renderHistory(filters()); }));
        box.appendChild(section);
    });
}

function renderLeadTime(f) {
    var box = document.getElementById("lead-list");
    box.textContent = "";
    var releases = board.releases.filter(function (r) { return (!f.service || r.name === f.service) && inTime(f, r.mergedAt); });
    var done = releases.filter(function (r) { return r.leadTimeSeconds !== null; });
    if (!releases.length) { box.appendChild(el("p", {}, "No production releases match the filters.")); return; }
    if (!done.length) box.appendChild(el("p", {}, "None of these releases has been deployed to production yet: nothing to plot."));
    else box.appendChild(leadTimePlot(done));
    var body = el("tbody", {}, releases.slice(0, shown.releases).map(function (r) {
        return el("tr", { "data-id": r.id }, [el("th", { scope: "row" }, r.name), el("td", {}, r.version), el("td", {}, el("code", {}, short(r.commit))), el("td", {}, time(r.mergedAt)), el("td", {}, r.deployedAt ? time(r.deployedAt) : "not deployed"), el("td", {}, duration(r.leadTimeSeconds)), el("td", {}, r.firstSeenAt ? time(r.firstSeenAt) : ""), el("td", {}, jsonLink(r.id))]);
    }));
    var head = el("thead", {}, el("tr", {}, ["Name", "Version", "Commit", "Merged", "Deployed", "Lead time", "First ran on an earlier stage", "Data"].map(function (h) { return el("th", { scope: "col" }, h); })));
    box.appendChild(el("table", { "class": "releases" }, [el("caption", {}, "Production releases, newest first (" + releases.length + ")"), head, body]));
    if (releases.length > shown.releases) box.appendChild(moreButton("Show more releases", function () { shown.releases += PAGE_RELEASES; renderLeadTime(filters()); }));
}

function leadTimePlot(done) {
    var W = 1000, H = 260, left = 60, bottom = 30, top = 10;
    var t0 = Infinity, t1 = -Infinity, max = 0;
    done.forEach(function (r) { var t = Date.parse(r.mergedAt); t0 = Math.min(t0, t); t1 = Math.max(t1, t); max = Math.max(max, r.leadTimeSeconds / 3600); });
    if (!(t1 > t0)) { t0 -= 3600e3; t1 += 3600e3; }
    max = max > 0 ? max : 1;
    var chart = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": "Lead time to production in hours per release, " + done.length + " deployed releases" });
    chart.appendChild(svg("line", { x1: left, x2: left, y1: top, y2: H - bottom, stroke: "#4a4a4a" }));
    chart.appendChild(svg("line", { x1: left, x2: W - 10, y1: H - bottom, y2: H - bottom, stroke: "#4a4a4a" }));
    for (var k = 0; k <= 4; k++) {
        var v = max * k / 4, y = H - bottom - (H - bottom - top) * k / 4;
        chart.appendChild(svg("text", { x: left - 6, y: y + 4, "font-size": 11, "text-anchor": "end", fill: "#4a4a4a" }, k === 0 ? "0" : duration(Math.round(v * 3600))));
        var t = t0 + (t1 - t0) * k / 4;
        chart.appendChild(svg("text", { x: left + (W - left - 10) * k / 4, y: H - 8, "font-size": 11, "text-anchor": k === 0 ? "start" : k === 4 ? "end" : "middle", fill: "#4a4a4a" }, axisLabel(t, t1 - t0)));
    }
    done.forEach(function (r) {
        var cx = left + (W - left - 10) * (Date.parse(r.mergedAt) - t0) / (t1 - t0), cy = H - bottom - (H - bottom - top) * (r.leadTimeSeconds / 3600) / max;
        chart.appendChild(svg("circle", { cx: cx, cy: cy, r: 4, fill: "#0b4f9c", "data-id": r.id }, svg("title", {}, r.name + " " + r.version + ": " + duration(r.leadTimeSeconds))));
    });
    return el("figure", {}, [chart, el("figcaption", {}, "Each dot a release: when it was merged (across), how long until production ran it (up).")]);
}

function filterMatrix(f) {
    var rows = document.querySelectorAll("table.matrix tbody tr");
    var visible = 0;
    for (var i = 0; i < rows.length; i++) {
        var r = rows[i], names = [r.getAttribute("data-service")].concat((r.getAttribute("data-former") || "").split(" "));
        var hide = !!f.service && names.indexOf(f.service) < 0;
        r.hidden = hide;
        if (!hide) visible++;
    }
    var cells = document.querySelectorAll("table.matrix [data-stack]");
    for (var j = 0; j < cells.length; j++) cells[j].hidden = !!f.stack && cells[j].getAttribute("data-stack") !== f.stack;
    return visible;
}

function apply() {
    var f = filters();
    var rows = filterMatrix(f);
    renderTimelines(f);
    renderHistory(f);
    renderLeadTime(f);
    var matching = events.filter(function (e) { return eventMatches(f, e); }).length;
    document.getElementById("filter-count").textContent = rows + " of " + board.matrix.length + " rows, " + matching + " of " + events.length + " events";
}

function showJson(id) {
    var item = byId[id];
    if (!item) return;
    document.getElementById("json-title").textContent = "JSON of " + id;
    document.getElementById("json-text").textContent = JSON.stringify(item, null, 2);
    var dialog = document.getElementById("json-view");
    if (dialog.open) dialog.close();
    dialog.showModal();
}

document.addEventListener("click", function (ev) {
    var a = ev.target.closest && ev.target.closest("a[data-json]");
    if (!a) return;
    ev.preventDefault();
    showJson(a.getAttribute("data-json"));
});
var form = document.getElementById("filters");
form.addEventListener("change", function () { shown = { timelines: PAGE_TIMELINES, rows: {}, releases: PAGE_RELEASES }; apply(); });
form.addEventListener("reset", function () { setTimeout(function () { shown = { timelines: PAGE_TIMELINES, rows: {}, releases: PAGE_RELEASES }; apply(); }, 0); });
form.addEventListener("submit", function (ev) { ev.preventDefault(); });
apply();
if (location.hash.indexOf("#json/") === 0) showJson(decodeURIComponent(location.hash.slice(6)));
document.body.setAttribute("data-ready", "true");
})();
`;
