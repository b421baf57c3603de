import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { readStackFile } from "../../../lib/config";
import { PinstackError } from "../../../lib/errors";
import { buildHistory, ChangeEntry, describeChange, describeService, fileVersions, HistoryEntry, serviceIdentity, UpdateEntry } from "../../../lib/history";
import { applyChanges, planHold, planPromotion, planRollback } from "../../../lib/promote";
import { writeFileAtomically } from "../../../lib/config/write";
import type { StackUpdate } from "../../../lib/pulumi-cli";
import { gitIn } from "./support/git";
import { BACKEND, digest, environment, fakeRegistry, FRONTEND, productionYaml, project, stagingYaml } from "./support/project";

const T0 = Date.parse("2023-06-01T10:00:00Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

function recorded(file: string, version: number, minutes: number, options: { result?: string; kind?: string; head?: string } = {}): StackUpdate {
    const raw = JSON.parse(JSON.stringify(readStackFile(file).raw)) as Record<string, unknown>;
    const config: StackUpdate["config"] = Object.fromEntries(
        Object.entries(raw).map(([key, value]) => [key, typeof value === "object" ? { value: JSON.stringify(value), objectValue: value, secret: false } : { value: String(value), secret: false }]),
    );
    return {
        version,
        kind: options.kind ?? "update",
        result: options.result ?? "succeeded",
        startTime: at(minutes).toISOString(),
        endTime: at(minutes + 1).toISOString(),
        message: `deploy ${version}`,
        environment: options.head ? { "git.head": options.head } : {},
        config,
    };
}

describe("history: the audit trail (git versions of the stack file joined with Pulumi updates)", () => {
    let p: ReturnType<typeof project>;
    let entries: HistoryEntry[];
    let commits: string[];
    before(async () => {
        p = project({ "Pulumi.staging.yaml": stagingYaml(), "Pulumi.production.yaml": productionYaml() });
        const file = path.join(p.dir, "Pulumi.production.yaml");
        const commit = (message: string, minutes: number) => {
            const date = at(minutes).toISOString();
            gitIn(p.dir, ["add", "-A"]);
            gitIn(p.dir, ["commit", "-q", "-m", message], { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });
            return gitIn(p.dir, ["rev-parse", "HEAD"]).trim();
        };
        gitIn(p.dir, ["init", "-q", "-b", "main"]);
        commits = [commit("Initial production pins", 0)];
        const updates: StackUpdate[] = [recorded(file, 1, 5)];
        const registry = fakeRegistry({ [`${BACKEND}:2023.05.1`]: digest("a"), [`${FRONTEND}:2023.05.4`]: digest("f") });
        const promote = await planPromotion({ from: "staging", to: "production", reason: "Release 2023.06.2 (#921)", allowUndeployed: true }, environment(p.dir, {}, at(10)), registry);
        applyChanges([promote.stackEdit, promote.ledgerChange]);
        commits.push(commit("Promote staging to production", 11));
        updates.push(recorded(file, 2, 20, { head: commits[1] }));
        updates.push(recorded(file, 3, 25, { kind: "refresh" }));
        const rollback = planRollback({ stack: "production", reason: "500s after 2023.06.2 (#940)" }, environment(p.dir, { production: [...updates].reverse() }, at(30)));
        applyChanges([rollback.edit]);
        commits.push(commit("Roll back production", 31));
        updates.push(recorded(file, 4, 35, { result: "failed" }));
        updates.push(recorded(file, 5, 40));
        writeFileAtomically(planHold({ stack: "production", clear: true, reason: "incident 940 closed" }, { dir: p.dir, now: at(50), by: "bob@example.org" }).edit!);
        commits.push(commit("Lift the hold", 51));
        // An edit not committed yet.
        fs.appendFileSync(file, "  pinstack:cloud: false\n");
        entries = buildHistory(fileVersions(file), [...updates].reverse());
    });
    after(() => p.remove());

    const changes = () => entries.filter((e): e is ChangeEntry => e.type === "change");

    it("lists every version newest first, the working tree first when it differs from HEAD", () => {
        assert.deepEqual(changes().map((e) => e.commit), [null, ...[...commits].reverse()]);
        assert.equal(changes()[0].message, "(not committed)");
        const times = entries.map((e) => Date.parse(e.type === "change" ? e.date : e.startTime));
        assert.deepEqual(times.slice(1), [...times.slice(1)].sort((a, b) => b - a), "not newest first");
    });

    it("each version carries who, why and what: command, reason, pin changes with provenance, hold", () => {
        const [, clear, rollback, promote, initial] = changes();
        assert.deepEqual([promote.command, promote.reason, promote.by], ["promote", "Release 2023.06.2 (#921)", "ada@example.org"]);
        assert.deepEqual(promote.changes.map((c) => `${c.kind} ${c.name} ${c.change} ${c.before?.tag ?? c.before?.version}->${c.after?.tag ?? c.after?.version}`), [
            "service backend update 2023.04.2->2023.05.1",
            "service frontend update 2023.04.3->2023.05.4",
            "package ukrdc-services update 10.8.4->10.8.5",
        ]);
        assert.equal(promote.changes[0].provenance?.from, "staging");
        assert.equal(promote.changes[0].after?.digest, digest("a"));
        assert.deepEqual([rollback.command, rollback.reason, rollback.hold], ["rollback", "500s after 2023.06.2 (#940)", true]);
        assert.equal(rollback.changes[0].provenance?.rollback, true);
        assert.deepEqual([clear.command, clear.reason, clear.by, clear.hold, clear.changes], ["hold-clear", "incident 940 closed", "bob@example.org", false, []]);
        assert.deepEqual([initial.command, initial.changes.length], [null, 3]);
    });

    it("joins each version with the updates that deployed it (result and message), failed ones included", () => {
        const [working, clear, rollback, promote, initial] = changes();
        const show = (e: ChangeEntry) => e.updates.map((u) => `${u.version}:${u.result}`);
        assert.deepEqual(show(initial), ["1:succeeded"]);
        assert.deepEqual(show(promote), ["2:succeeded"]);
        assert.deepEqual(show(rollback), ["5:succeeded", "4:failed"]);
        assert.deepEqual(show(clear), []);
        assert.deepEqual(show(working), []);
        assert.equal(promote.updates[0].message, "deploy 2");
    });

    it("updates that deploy no version are listed on their own (a refresh)", () => {
        const alone = entries.filter((e): e is UpdateEntry => e.type === "update");
        assert.deepEqual(alone.map((u) => [u.version, u.kind, u.note]), [[3, "refresh", "refresh: changes no pins"]]);
    });

    it("bad input (exit 2) outside a git repository", () => {
        const outside = project({ "Pulumi.production.yaml": productionYaml() });
        try {
            assert.throws(() => fileVersions(path.join(outside.dir, "Pulumi.production.yaml")), (e: unknown) => e instanceof PinstackError && e.exitCode === 2 && /not inside a git repository/.test(e.message));
        } finally {
            outside.remove();
        }
    });
});

describe("what identifies a service's artifact in history (serviceIdentity, describeService)", () => {
    const pin = { image: "ghcr.io/example/backend", tag: "2023.05.1", digest: `sha256:${"a".repeat(64)}` };

    it("is what it was before containers counted, for a service without any (older history still matches)", () => {
        const before = JSON.stringify(["ghcr.io/example/backend", "2023.05.1", `sha256:${"a".repeat(64)}`]);
        assert.equal(serviceIdentity(pin), before);
        assert.equal(serviceIdentity({ ...pin, initContainers: [], sidecars: [] }), before);
        assert.equal(describeService(pin), "2023.05.1@sha256:aaaaaaaaaaaa");
        assert.equal(describeService({ ...pin, sidecars: [] }), "2023.05.1@sha256:aaaaaaaaaaaa");
    });

    it("counts init containers and sidecars, in order", () => {
        const proxy = { name: "proxy", image: "ghcr.io/example/proxy", tag: "2.0.1" };
        const warm = { name: "warm", image: "ghcr.io/example/warm", tag: "1.0.0" };
        const withProxy = serviceIdentity({ ...pin, sidecars: [proxy] });
        assert.notEqual(withProxy, serviceIdentity(pin));
        assert.notEqual(withProxy, serviceIdentity({ ...pin, sidecars: [{ ...proxy, tag: "2.0.2" }] }));
        assert.notEqual(withProxy, serviceIdentity({ ...pin, initContainers: [proxy] }), "the list matters");
        assert.notEqual(serviceIdentity({ ...pin, initContainers: [proxy, warm] }), serviceIdentity({ ...pin, initContainers: [warm, proxy] }), "the order matters");
        assert.equal(describeService({ ...pin, initContainers: [warm], sidecars: [proxy] }), "2023.05.1@sha256:aaaaaaaaaaaa with init containers warm=1.0.0 and sidecars proxy=2.0.1");
    });
});

describe("history names a change in any container of a service", () => {
    const version = (commit: string, minutes: number, sidecarTag: string) => ({
        commit,
        author: "ana",
        email: "ana@example.org",
        date: at(minutes).toISOString(),
        message: commit,
        services: new Map([["backend", { image: "ghcr.io/example/backend", tag: "2023.05.1", sidecars: [{ name: "proxy", image: "ghcr.io/example/proxy", tag: sidecarTag }] }]]),
        packages: new Map(),
        hold: false,
        holdReason: null,
        freeze: null,
        lastChange: null,
        error: null,
    });

    it("a sidecar-only change is a change, and its line says which container moved", () => {
        const [newest] = buildHistory([version("b", 10, "2.0.2"), version("a", 0, "2.0.1")], []) as ChangeEntry[];
        assert.equal(newest.changes.length, 1);
        assert.deepEqual(newest.changes[0].containers, ["sidecar proxy: 2.0.1 → 2.0.2"]);
        assert.match(describeChange(newest.changes[0]), /^service backend: .* -> .* \(sidecar proxy: 2\.0\.1 → 2\.0\.2\)$/);
    });
});
