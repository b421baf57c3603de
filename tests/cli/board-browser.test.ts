import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import type { Page } from "playwright-core";
import { ARTIFACTS, Browser, contrastRatio, launchChromium } from "../support/browser";
import { releaseScenario, Scenario } from "../unit/report/support/scenario";
import { fakePulumi, FakePulumi } from "./fake-pulumi";
import { ensureBuilt, runPinstack } from "./helpers";

/** The page's DOM as far as the callbacks below use it: the project compiles without lib "dom". */
interface PageElement {
    readonly innerText: string;
    readonly className: string;
    readonly tagName: string;
    readonly offsetParent: unknown;
    readonly parentElement: PageElement | null;
}
declare const document: { readonly body: { readonly dataset: Record<string, string | undefined> }; querySelectorAll(selector: string): { readonly length: number } };
declare function getComputedStyle(element: PageElement): { readonly color: string; readonly backgroundColor: string };

/**
 * The board as a person sees it, in chromium: `pinstack report --html` over a history of two
 * stacks (up, promote, a failed update and its re-run, rollback with hold, rename, hold
 * lifted), opened from file://. Screenshots go to test-artifacts/board/.
 */
describe("the release board in a browser (chromium, from file://)", function () {
    this.timeout(120_000);
    let scenario: Scenario;
    let pulumi: FakePulumi;
    let browser: Browser;
    let page: Page;
    const problems: string[] = [];
    const shots = path.join(ARTIFACTS, "board");

    before(async () => {
        ensureBuilt();
        scenario = releaseScenario();
        pulumi = fakePulumi();
        for (const [stack, updates] of Object.entries(scenario.histories)) pulumi.setHistory(stack, updates);
        const site = path.join(scenario.dir, "board");
        const run = runPinstack(["report", "--html", site], { cwd: scenario.dir, env: pulumi.env });
        assert.equal(run.code, 0, run.stderr);
        fs.mkdirSync(shots, { recursive: true });
        browser = await launchChromium();
        page = await browser.context.newPage();
        page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
        page.on("console", (message) => {
            if (message.type() === "error" || message.type() === "warning") problems.push(`console ${message.type()}: ${message.text()}`);
        });
        page.on("request", (request) => {
            if (!request.url().startsWith("file://")) problems.push(`request to ${request.url()}`);
        });
        await page.goto(`file://${path.join(site, "index.html")}`);
        await page.waitForSelector("body[data-ready]", { timeout: 10_000 });
        await page.screenshot({ path: path.join(shots, "board.png"), fullPage: true });
    });
    after(async () => {
        await browser?.close();
        pulumi?.remove();
        scenario?.remove();
    });

    const texts = (selector: string) => page.$$eval(selector, (nodes) => nodes.map((n) => (n as unknown as PageElement).innerText.replace(/\s+/g, " ").trim()));
    const choose = async (id: string, value: string) => {
        await page.selectOption(id, value);
        await page.waitForFunction(() => document.body.dataset.ready === "true");
    };

    const clearFilters = async () => {
        await page.click('button[type="reset"]');
        await page.waitForFunction(() => document.querySelectorAll("table.history").length === 2);
    };

    it("runs its own script, asks nothing of the network and logs no error", () => {
        assert.deepEqual(problems, []);
    });

    it("the matrix shows which version runs where, with short digests and marks in words", async () => {
        const backend = await texts('table.matrix tr[data-service="backend"] td');
        assert.deepEqual(backend.slice(0, 4), ["service", "1.1.0", "1.0.0 sha256:aaaaaaaaaaaa", "≠ drift"]);
        const pkg = await texts('table.matrix tr[data-service="ukrdc-services"] td[data-stack="production"]');
        assert.deepEqual(pkg, ["10.8.4 ★ first here"]);
        assert.deepEqual(await texts("table.matrix tbody th"), ["backend", "frontend (was web)", "ukrdc-services"]);
    });

    it("a reason with markup is shown as text and not run", async () => {
        assert.equal(await page.title(), "Release board — pinstack");
        const promote = await texts('#timeline-list figure[data-service="backend"] li[data-kind="promote"]');
        assert.equal(promote.length, 1);
        assert.ok(promote[0].includes('<script>document.title="pwned"</script> May release <b>bold</b>'), promote[0]);
        assert.equal(await page.$$eval("#timeline-list b, #history-list b", (n) => n.length), 0);
    });

    it("the timeline lists a service's events across stacks in order, each with who, why and the update's result", async () => {
        const kinds = await page.$$eval('#timeline-list figure[data-service="backend"] li', (nodes) => nodes.map((n) => `${n.getAttribute("data-stack")} ${n.getAttribute("data-kind")}`));
        assert.deepEqual(kinds, ["staging edit", "production edit", "staging edit", "production promote", "production rollback", "production hold", "production hold-clear"]);
        const rollback = (await texts('#timeline-list figure[data-service="backend"] li[data-kind="rollback"]'))[0];
        assert.match(rollback, /by oncall@example\.org · “500s after 1\.1\.0 \(incident 7\)” · commit [0-9a-f]{7} · update 4 succeeded in 3 min/);
        const markers = await page.$$eval('#timeline-list figure[data-service="backend"] svg g.event', (nodes) => nodes.map((n) => n.getAttribute("data-kind")));
        assert.equal(markers.length, 7, "one marker per event in the chart");
        await page.locator('#timeline-list figure[data-service="backend"]').screenshot({ path: path.join(shots, "timeline-backend.png") });
    });

    it("the failed update is marked in the timeline (a cross, FAILED) and in the stack's history", async () => {
        const failed = await texts('#timeline-list figure[data-service="backend"] li.failed');
        assert.equal(failed.length, 1);
        assert.match(failed[0], /^✕ FAILED promote .* update 2 failed in 7 min/);
        assert.equal(await page.$$eval('svg g.event[data-result="failed"] path', (n) => n.length) > 0, true);
        const rows = await texts('table.history[data-stack="production"] tr.failed');
        assert.equal(rows.length, 1);
        assert.match(rows[0], /pulumi update 2 ✕ failed 7 min/);
        await page.locator('table.history[data-stack="production"]').screenshot({ path: path.join(shots, "history-production.png") });
    });

    it("filters narrow the rows: by service, by stack, by time, and Clear brings everything back", async () => {
        await choose("#filter-service", "frontend");
        assert.deepEqual(await texts("table.matrix tbody tr:not([hidden]) th"), ["frontend (was web)"]);
        assert.deepEqual(await page.$$eval("#timeline-list figure", (n) => n.map((f) => f.getAttribute("data-service"))), ["frontend"]);
        await page.screenshot({ path: path.join(shots, "filter-frontend.png"), fullPage: true });
        await choose("#filter-service", "");
        await choose("#filter-stack", "staging");
        assert.deepEqual(await page.$$eval("table.history", (n) => n.map((t) => t.getAttribute("data-stack"))), ["staging"]);
        assert.equal(await page.$$eval('table.matrix td[data-stack="production"]:not([hidden])', (n) => n.length), 0);
        await page.fill("#filter-from", "2026-03-04");
        await page.dispatchEvent("#filter-from", "change");
        const since = await page.$$eval("#timeline-list li", (n) => n.map((li) => (li.textContent || "").slice(0, 10)));
        assert.ok(since.length > 0 && since.every((d) => d >= "2026-03-04"), String(since));
        assert.match(await page.innerText("#filter-count"), /^3 of 3 rows, \d+ of 13 events$/);
        await clearFilters();
        assert.match(await page.innerText("#filter-count"), /^3 of 3 rows, 13 of 13 events$/);
    });

    it("each row links to its JSON", async () => {
        await clearFilters();
        await page.click('table.matrix tr[data-service="backend"] a.json');
        await page.waitForSelector("#json-view[open]");
        const json = JSON.parse(await page.innerText("#json-text"));
        assert.deepEqual([json.name, json.cells.staging.version], ["backend", "1.1.0"]);
        await page.screenshot({ path: path.join(shots, "json.png") });
        await page.click("#json-view button");
    });

    it("the lead-time plot has a point per deployed production release", async () => {
        assert.equal(await page.$$eval("#lead-list svg circle", (n) => n.length), 4);
        await page.locator("#lead-list").screenshot({ path: path.join(shots, "lead-time.png") });
    });

    it("accessibility basics: one h1, no skipped heading level, tables with captions and header cells, text contrast ≥ 4.5:1", async () => {
        const levels = await page.$$eval("h1, h2, h3, h4, h5, h6", (n) => n.filter((h) => (h as unknown as PageElement).offsetParent !== null).map((h) => Number(h.tagName[1])));
        assert.equal(levels.filter((l) => l === 1).length, 1);
        levels.forEach((l, i) => assert.ok(i === 0 || l <= levels[i - 1] + 1, `heading h${l} after h${levels[i - 1]}`));
        const tables = await page.$$eval("table", (n) => n.map((t) => ({ caption: !!t.querySelector("caption"), headers: t.querySelectorAll("thead th[scope=col]").length })));
        assert.ok(tables.length >= 4);
        for (const t of tables) assert.ok(t.caption && t.headers > 0, JSON.stringify(t));
        const pairs = await page.$$eval("body, .hint, .digest, .mark.held, .mark.first, .result-failed, .result-succeeded, li.failed, thead th, tr.failed td, .cell.first, a", (nodes) =>
            nodes.slice(0, 200).map((n) => {
                let bg = "rgba(0, 0, 0, 0)";
                for (let e: PageElement | null = (n as unknown as PageElement); e && /rgba\(0, 0, 0, 0\)|transparent/.test(bg); e = e.parentElement) bg = getComputedStyle(e).backgroundColor;
                return { what: (n as unknown as PageElement).className || (n as unknown as PageElement).tagName, fg: getComputedStyle((n as unknown as PageElement)).color, bg: /rgba\(0, 0, 0, 0\)/.test(bg) ? "rgb(255, 255, 255)" : bg };
            }),
        );
        for (const p of pairs) assert.ok(contrastRatio(p.fg, p.bg) >= 4.5, `${p.what}: ${p.fg} on ${p.bg} is ${contrastRatio(p.fg, p.bg).toFixed(2)}:1`);
        const lanes = await page.$$eval("figure svg[role=img]", (n) => n.every((s) => (s.getAttribute("aria-label") || "").length > 0));
        assert.ok(lanes, "every chart has a text alternative");
    });
});
