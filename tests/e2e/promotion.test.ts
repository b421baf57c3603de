/**
 * Acceptance of `pinstack promote`, `rollback`, `hold` and `history` with the real Pulumi CLI
 * (file backend; staging and production deployed to the local cluster), a real registry (docker-registry on 127.0.0.1) and git:
 *
 *   up staging -> promote staging -> production -> up production -> staging moves on ->
 *   promote again -> preview production shows exactly the pin change -> up -> rollback restores
 *   the previous pins and sets hold -> a promotion is refused -> hold --clear -> promote passes
 *   -> history --json lists every step with its reason.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { ensureBuilt } from "../cli/helpers";
import { ARTIFACTS, launchChromium } from "../support/browser";
import { testCluster, TestCluster } from "./support/cluster";
import { PulumiProject } from "./support/pulumi-project";
import { pushImage, RunningRegistry, startRegistry } from "./support/registry";

function staging(host: string, backendTag: string, kubeconfig: string): string {
    return `# Staging: deployed automatically; release candidates allowed.
config:
  pinstack:environment: staging
  pinstack:namespace: e2e-promotion-staging
  pinstack:cloud: false
  pinstack:kubeconfig: ${kubeconfig}
  pinstack:preset:
    resolveDigests: false
  pinstack:services:
    backend:
      image: ${host}/pinstack-example/backend
      tag: ${backendTag}          # calver YYYY.MM.N
      scheme: calver
      port: 8000
    frontend:
      image: ${host}/pinstack-example/frontend
      tag: 2023.05.4
      scheme: calver
      port: 8080
      strategy: blue-green
  pinstack:packages:
    ukrdc-services:
      version: 10.8.5
      channel: staging
`;
}

/** Production before its first promotion: settings only, the pins come from staging. */
function production(host: string, kubeconfig: string): string {
    return `# Production: pins change only through \`pinstack promote staging production\`.
config:
  pinstack:environment: production
  pinstack:namespace: e2e-promotion-production
  pinstack:cloud: false       # no AWS account here
  pinstack:kubeconfig: ${kubeconfig}
  pinstack:preset:
    resolveDigests: false     # every pin carries its digest
    soakMinutes: 0            # the test cannot wait an hour; soak is tested in tests/unit and tests/cli
    registries: [ ${host}/pinstack-example ]
  pinstack:services: {}
  pinstack:packages: {}
`;
}

interface Step {
    readonly type: string;
    readonly commit?: string | null;
    readonly message?: string;
    readonly command?: string | null;
    readonly reason?: string | null;
    readonly hold?: boolean;
    readonly changes?: { kind: string; name: string; before: { tag?: string; digest?: string } | null; after: { tag?: string; digest?: string } | null; provenance: Record<string, unknown> | null }[];
    readonly updates?: { version: number; result: string; message: string }[];
}

describe("promotion end to end (real Pulumi CLI, real registry, git)", function () {
    this.timeout(1_800_000);
    let registry: RunningRegistry;
    let cluster: TestCluster;
    let project: PulumiProject;
    const digests: Record<string, string> = {};
    const commits: Record<string, string> = {};

    before(async () => {
        ensureBuilt();
        registry = await startRegistry();
        cluster = testCluster();
        digests["backend:2023.05.1"] = await pushImage(registry, "pinstack-example/backend", "2023.05.1", "backend May");
        digests["backend:2023.06.1"] = await pushImage(registry, "pinstack-example/backend", "2023.06.1", "backend June");
        digests["frontend:2023.05.4"] = await pushImage(registry, "pinstack-example/frontend", "2023.05.4", "frontend", "oci-index");
        project = new PulumiProject({ "Pulumi.staging.yaml": staging(registry.host, "2023.05.1", cluster.kubeconfig), "Pulumi.production.yaml": production(registry.host, cluster.kubeconfig) });
        project.initStacks(["staging", "production"]);
    });
    after(async () => {
        project?.remove();
        await registry?.stop();
    });

    const pinstack = (...args: string[]) => project.pinstack(args);
    const config = (stack: string) => YAML.parse(project.read(`Pulumi.${stack}.yaml`)).config;
    const ok = (run: { code: number; stdout: string; stderr: string }, what: string) => assert.equal(run.code, 0, `${what} exited ${run.code}\n${run.stdout}\n${run.stderr}`);

    it("1. up staging, then promote staging -> production: pins copied with digests from the registry and sealed provenance", () => {
        project.up("staging", "staging: May release");
        const run = pinstack("promote", "staging", "production", "--reason", "Release 2023.05 to production");
        ok(run, "promote");
        const prod = config("production");
        const backend = prod["pinstack:services"].backend;
        assert.equal(backend.tag, "2023.05.1");
        assert.equal(backend.digest, digests["backend:2023.05.1"]);
        assert.equal(backend.provenance.from, "staging");
        assert.equal(prod["pinstack:services"].frontend.digest, digests["frontend:2023.05.4"], "the OCI index digest is pinned");
        assert.equal(prod["pinstack:packages"]["ukrdc-services"].version, "10.8.5");
        commits.first = project.commit("Promote staging to production: May release");
        project.up("production", "production: May release");
        ok(pinstack("check", "--stack", "production"), "check");
    });

    it("2. staging moves on; promote backend: only its keys change; preview production shows exactly that pin change", () => {
        project.write("Pulumi.staging.yaml", staging(registry.host, "2023.06.1", cluster.kubeconfig));
        project.commit("staging: backend 2023.06.1");
        project.up("staging", "staging: backend 2023.06.1");
        const before = project.read("Pulumi.production.yaml");
        const run = pinstack("promote", "staging", "production", "--service", "backend", "--reason", "Release 2023.06.1: fixes #921");
        ok(run, "promote");
        assert.match(run.stdout, /service backend +2023\.05\.1@sha256:[0-9a-f]{12} -> 2023\.06\.1@sha256:[0-9a-f]{12}/);
        const stackDiff = run.stdout.slice(run.stdout.indexOf("--- a/Pulumi.production.yaml"), run.stdout.indexOf("--- a/pinstack.ledger.json"));
        const changedKeys = stackDiff
            .split("\n")
            .filter((l) => /^[-+] /.test(l) && !/^(---|\+\+\+)/.test(l))
            .map((l) => l.slice(1).trim().split(":")[0]);
        // tag and digest of the pin, its provenance (at, reason, seal; from and by are unchanged), and lastChange's at and reason.
        assert.deepEqual([...new Set(changedKeys)].sort(), ["at", "digest", "reason", "seal", "tag"]);
        assert.notEqual(project.read("Pulumi.production.yaml"), before);
        commits.second = project.commit("Promote backend 2023.06.1 to production");

        const preview = JSON.parse(project.pulumi(["preview", "--stack", "production", "--json", "--diff"]).stdout);
        const steps = (preview.steps ?? []).filter((s: { op: string }) => s.op !== "same");
        assert.ok(steps.length > 0, "preview shows no change");
        const newImage = `${registry.host}/pinstack-example/backend:2023.06.1@${digests["backend:2023.06.1"]}`;
        const oldImage = `${registry.host}/pinstack-example/backend:2023.05.1@${digests["backend:2023.05.1"]}`;
        const summary = steps.map((s: { op: string; urn: string }) => `${s.op} ${String(s.urn).split("::").pop()}`).join(", ");
        for (const step of steps) {
            const name = String(step.urn).split("::").pop() as string;
            // The backend's Deployment rolls; its version ConfigMap is immutable, so it is replaced.
            assert.match(name, /^backend/, `preview changes ${name}, which is not the backend pin (${summary})`);
            assert.ok(["update", "replace", "create-replacement", "delete-replaced"].includes(step.op), `${name}: ${step.op} (${summary})`);
        }
        assert.ok(steps.some((s: { op: string; newState?: { type?: string } }) => s.op === "update" && s.newState?.type === "kubernetes:apps/v1:Deployment"), `the backend Deployment is not updated (${summary})`);
        const text = JSON.stringify(steps);
        assert.ok(text.includes(newImage), "the new pin is not in the preview");
        assert.ok(text.includes(oldImage), "the old pin is not in the preview");
        assert.ok(!text.includes("frontend"), "frontend changes in the preview");
        project.up("production", "production: backend 2023.06.1");
    });

    it("3. rollback restores the previous pins as a new change and sets hold; production deploys it", () => {
        const run = pinstack("rollback", "production", "--reason", "500s after 2023.06.1 (#940)");
        ok(run, "rollback");
        assert.match(run.stdout, /rollback production to update 1 /);
        const prod = config("production");
        const backend = prod["pinstack:services"].backend;
        assert.deepEqual([backend.tag, backend.digest], ["2023.05.1", digests["backend:2023.05.1"]]);
        assert.equal(backend.provenance.rollback, true);
        assert.equal(prod["pinstack:hold"], true);
        assert.match(prod["pinstack:holdReason"], /500s after 2023\.06\.1/);
        commits.rollback = project.commit("Roll back production backend");
        project.up("production", "production: rollback");
        const outputs = JSON.parse(project.pulumi(["stack", "output", "--stack", "production", "--json"]).stdout);
        assert.equal(outputs.hold, true);
        assert.equal(outputs.pins.services.backend.tag, "2023.05.1");
    });

    it("4. a further promotion is refused until the hold is cleared", () => {
        const before = project.read("Pulumi.production.yaml");
        const refused = pinstack("promote", "staging", "production", "--service", "backend", "--reason", "try again");
        assert.equal(refused.code, 1, refused.stdout + refused.stderr);
        assert.match(refused.stderr, /production is on hold/);
        assert.equal(project.read("Pulumi.production.yaml"), before);
        ok(pinstack("hold", "production", "--clear", "--reason", "incident #940 closed: fix is in 2023.06.1"), "hold --clear");
        commits.clear = project.commit("Lift the production hold");
        const again = pinstack("promote", "staging", "production", "--service", "backend", "--reason", "Release 2023.06.1 again, with the fix confirmed");
        ok(again, "promote after clear");
        commits.again = project.commit("Promote backend 2023.06.1 to production again");
    });

    it("5. history --json lists every step with its reason, joined with the Pulumi updates", () => {
        const run = pinstack("history", "production", "--json");
        ok(run, "history");
        const steps = run.stdout.trim().split("\n").map((l) => JSON.parse(l) as Step);
        const changes = steps.filter((s) => s.type === "change");
        const byCommit = (commit: string) => changes.find((s) => s.commit === commit) as Step;
        assert.deepEqual(
            changes.map((s) => [s.command, s.reason]),
            [
                ["promote", "Release 2023.06.1 again, with the fix confirmed"],
                ["hold-clear", "incident #940 closed: fix is in 2023.06.1"],
                ["rollback", "500s after 2023.06.1 (#940)"],
                ["promote", "Release 2023.06.1: fixes #921"],
                ["promote", "Release 2023.05 to production"],
                [null, null], // pulumi stack init: the encryption salt
                [null, null], // the initial file
            ],
        );
        assert.deepEqual(byCommit(commits.first).updates?.map((u) => [u.version, u.result, u.message]), [[1, "succeeded", "production: May release"]]);
        assert.deepEqual(byCommit(commits.second).updates?.map((u) => [u.version, u.result]), [[2, "succeeded"]]);
        assert.deepEqual(byCommit(commits.rollback).updates?.map((u) => [u.version, u.result]), [[3, "succeeded"]]);
        assert.deepEqual(byCommit(commits.again).updates, []);
        const second = byCommit(commits.second);
        assert.deepEqual(second.changes?.map((c) => [c.name, c.before?.tag, c.after?.tag, c.provenance?.reason]), [["backend", "2023.05.1", "2023.06.1", "Release 2023.06.1: fixes #921"]]);
        assert.equal(byCommit(commits.rollback).hold, true);
        assert.equal(byCommit(commits.rollback).changes?.[0].provenance?.rollback, true);
        const human = pinstack("history", "production");
        ok(human, "history");
        assert.match(human.stdout, /rollback by release-manager@example\.org: 500s after 2023\.06\.1 \(#940\)/);
    });
    it("6. a failed update, then the release board of this real history, opened in chromium", async () => {
        // A hand edit production's rules refuse: the program stops, Pulumi records a failed update.
        const text = project.read("Pulumi.production.yaml");
        project.write("Pulumi.production.yaml", text.replace(/(backend:\n(?:\s+.*\n)*?\s+tag: )"?2023\.06\.1"?/, "$1latest"));
        assert.notEqual(project.read("Pulumi.production.yaml"), text, "the hand edit changed the tag");
        commits.broken = project.commit("production: backend latest by hand");
        const failed = project.pulumi(["up", "--stack", "production", "--yes", "--skip-preview", "--message", "production: latest by hand"], true);
        assert.notEqual(failed.code, 0, "the update must fail");

        const site = path.join(project.dir, "board");
        const run = pinstack("report", "--html", site);
        ok(run, "report --html");
        const board = JSON.parse(fs.readFileSync(path.join(site, "board.json"), "utf8"));
        const production = board.updates.filter((u: { stack: string }) => u.stack === "production");
        assert.deepEqual(production.map((u: { version: number; result: string }) => [u.version, u.result]), [[4, "failed"], [3, "succeeded"], [2, "succeeded"], [1, "succeeded"]]);
        assert.equal(production[0].commit, commits.broken);

        const shots = path.join(ARTIFACTS, "board-e2e");
        fs.mkdirSync(shots, { recursive: true });
        const browser = await launchChromium();
        try {
            const page = await browser.context.newPage();
            await page.goto(`file://${path.join(site, "index.html")}`);
            await page.waitForSelector("body[data-ready]", { timeout: 30_000 });
            await page.screenshot({ path: path.join(shots, "board.png"), fullPage: true });
            const cells = await page.$$eval('table.matrix tr[data-service="backend"] td[data-stack]', (n) => n.map((c) => (c.textContent || "").replace(/\s+/g, " ").trim()));
            assert.match(cells[0], /^2023\.06\.1\b/);
            assert.match(cells[1], /^latest\b/);
            const kinds = await page.$$eval('#timeline-list figure[data-service="backend"] li', (n) => n.map((li) => `${li.getAttribute("data-stack")} ${li.getAttribute("data-kind")}`));
            const production = kinds.filter((k) => k.startsWith("production ") && !k.endsWith("hold") && !k.endsWith("hold-clear"));
            // Oldest first: promoted, promoted again, rolled back, promoted after the hold, then the hand edit that failed.
            assert.deepEqual(production.slice(-5), ["production promote", "production promote", "production rollback", "production promote", "production edit"]);
            const failedRows = await page.$$eval("#timeline-list li.failed", (n) => n.map((li) => li.textContent || ""));
            assert.ok(failedRows.length >= 1 && failedRows.every((t) => /update 4 failed/.test(t)), failedRows.join("\n"));
            assert.equal(await page.$$eval('table.history[data-stack="production"] tr.failed', (n) => n.length), 1);
        } finally {
            await browser.close();
        }
    });
});
