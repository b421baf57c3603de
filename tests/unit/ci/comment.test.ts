import { strict as assert } from "assert";
import { commentMarker, reviewChanges, GITHUB_COMMENT_LIMIT, parsePreview, Redactor, renderComment, secretValuesFromConfig } from "../../../lib/ci";
import type { CommentInput } from "../../../lib/ci";
import { PinstackError } from "../../../lib/errors";
import { hugeDigest, hugeEvents, hugeShape } from "../../fixtures/preview/huge";
import { DIGEST_A, DIGEST_B, readFixture, serviceProvenance, stackFromYaml, stackYaml } from "./helpers";

const base = stackFromYaml("production", stackYaml({ environment: "production", tag: "2023.04.2", digest: DIGEST_A, version: "10.8.4" }));
const promoted = { image: "ghcr.io/example/backend", tag: "2023.05.1", digest: DIGEST_B };
const head = stackFromYaml(
    "production",
    stackYaml({ environment: "production", tag: "2023.05.1", digest: DIGEST_B, version: "10.8.5rc1", provenance: serviceProvenance("backend", promoted, { by: "ana@example.org", reason: "release 2023.05.1 (CHG-1234)" }) }),
);

function input(overrides: Partial<CommentInput> = {}): CommentInput {
    return {
        stack: "production",
        pinChanges: reviewChanges(base, head),
        preview: parsePreview(readFixture("preview/production-events.jsonl"), "production-events.jsonl"),
        base: { ref: "origin/main", commit: "4f2a9c1e0b7d4f2a9c1e0b7d4f2a9c1e0b7d4f2a", stackFileExisted: true },
        commit: "0b7d4f2a9c1e0b7d4f2a9c1e0b7d4f2a9c1e0b7d",
        ...overrides,
    };
}

const lines = (text: string) => text.split("\n");

describe("lib/ci: the pull request comment", () => {
    const text = renderComment(input());

    it("starts with the hidden marker, then a heading naming the stack", () => {
        assert.equal(lines(text)[0], "<!-- pinstack:stack=production -->");
        assert.equal(lines(text)[1], "### pinstack preview: `production`");
    });

    it("puts the pin table first, then policy results, then the preview diff", () => {
        const pins = text.indexOf("#### Pin changes");
        const policy = text.indexOf("#### Policy results");
        const diff = text.indexOf("#### Preview:");
        assert.ok(pins > 0 && pins < policy && policy < diff, `${pins} ${policy} ${diff}`);
        assert.ok(text.indexOf("| Pin | From → to | Digest | Provenance |") < policy);
    });

    it("shows, per pin, the key that verified its signature at promotion", () => {
        const record = { image: promoted.image, digest: DIGEST_B, key: "ci-2026", keyDigest: `sha256:${"e".repeat(64)}` };
        const signed = stackFromYaml("production", stackYaml({ environment: "production", tag: "2023.05.1", digest: DIGEST_B, version: "10.8.5rc1", provenance: serviceProvenance("backend", promoted, { signatures: [record] }) }));
        const row = lines(renderComment(input({ pinChanges: reviewChanges(base, signed) }))).find((l) => l.startsWith("| service `backend`"));
        assert.match(row ?? "", /<br>signed: key `ci-2026` \|$/);
        assert.doesNotMatch(lines(text).find((l) => l.startsWith("| service `backend`")) ?? "", /signed:/, "no record, no claim");
    });

    it("shows each pin change: subject, from -> to, digest, provenance from / by / reason", () => {
        const backend = lines(text).find((l) => l.startsWith("| service `backend`"));
        assert.equal(
            backend,
            "| service `backend` | `2023.04.2` → `2023.05.1` (up) | `sha256:4c1b4c1b4c1b` → `sha256:9e8d9e8d9e8d` | from `staging`, by ana@example.org, 2026-11-20T10:00:00Z: release 2023.05.1 (CHG-1234) |",
        );
        const pkg = lines(text).find((l) => l.startsWith("| package `ukrdc-services`"));
        assert.equal(pkg, "| package `ukrdc-services` | `10.8.4` → `10.8.5rc1` (up) | — | none: typed in, not promoted |");
    });

    it("shows a change to a sidecar alone as a pin change, the container named on its own line", () => {
        const withProxy = (tag: string) =>
            stackFromYaml("production", stackYaml({ environment: "production", tag: "2023.04.2", digest: DIGEST_A, version: "10.8.4" }).replace("      scheme: calver\n", `      scheme: calver\n      sidecars:\n        - name: proxy\n          image: ghcr.io/example/proxy\n          tag: ${tag}\n`));
        const out = renderComment(input({ pinChanges: reviewChanges(withProxy("2.0.1"), withProxy("2.0.2")) }));
        assert.equal(lines(out).find((l) => l.startsWith("| service `backend`")), "| service `backend` | `2023.04.2` (containers changed)<br>sidecar proxy: 2.0.1 → 2.0.2 | `sha256:4c1b4c1b4c1b` | none: typed in, not promoted |");
        assert.match(lines(out)[3], /^\*\*1 pin change\*\*/);
    });

    describe("a change in any container of a service is a row of its own", () => {
        const backendRow = (out: string) => lines(out).find((l) => l.startsWith("| service `backend`"));
        const withLines = (extra: string) =>
            stackFromYaml("production", stackYaml({ environment: "production", tag: "2023.04.2", digest: DIGEST_A, version: "10.8.4" }).replace("      scheme: calver\n", `      scheme: calver\n${extra}`));
        const entry = (name: string, tag: string, digest?: string) => `        - name: ${name}\n          image: ghcr.io/example/${name}\n          tag: ${tag}\n${digest ? `          digest: ${digest}\n` : ""}`;
        const comment = (before: string, after: string) => renderComment(input({ pinChanges: reviewChanges(withLines(before), withLines(after)) }));

        it("an init container's tag", () => {
            const row = backendRow(comment(`      initContainers:\n${entry("warm", "1.0.0")}`, `      initContainers:\n${entry("warm", "1.1.0")}`));
            assert.match(row ?? "", /\(containers changed\)<br>init container warm: 1\.0\.0 → 1\.1\.0 \|/);
        });

        it("a sidecar's digest alone", () => {
            const row = backendRow(comment(`      sidecars:\n${entry("proxy", "2.0.1", DIGEST_A)}`, `      sidecars:\n${entry("proxy", "2.0.1", DIGEST_B)}`));
            assert.match(row ?? "", /sidecar proxy: 2\.0\.1@sha256:4c1b4c1b4c1b → 2\.0\.1@sha256:9e8d9e8d9e8d/);
        });

        it("a sidecar added, and one removed", () => {
            const added = backendRow(comment("", `      sidecars:\n${entry("proxy", "2.0.1")}`));
            assert.match(added ?? "", /sidecar proxy added: ghcr\.io\/example\/proxy:2\.0\.1/);
            const removed = backendRow(comment(`      sidecars:\n${entry("proxy", "2.0.1")}`, ""));
            assert.match(removed ?? "", /sidecar proxy removed \(was ghcr\.io\/example\/proxy:2\.0\.1\)/);
        });
    });

    it("summarises pins, resources and blocking findings in one line", () => {
        assert.equal(lines(text)[3], "**2 pin changes** · 3 resources to change · **2 blocking findings**, 1 warning");
    });

    it("lists policy violations and preview errors, blocking ones first", () => {
        const rows = lines(text).filter((l) => /^\| (\*\*mandatory\*\*|\*\*error\*\*|advisory|warning) \|/.test(l));
        assert.deepEqual(
            rows.map((r) => r.split(" | ")[0]),
            ["| **mandatory**", "| **error**", "| advisory"],
        );
        assert.match(rows[0], /`no-prereleases` \(pinstack\) \| `packages-requirements` \(kubernetes:core\/v1:ConfigMap\) \| package ukrdc-services is pinned to the prerelease/);
    });

    it("lists changed resources with op, type, name and changed keys", () => {
        assert.ok(lines(text).includes("| `~` update | `kubernetes:apps/v1:Deployment` | `backend` | `metadata.labels[\"app.kubernetes.io/version\"]`, `spec.template.spec.containers[0].image` |"));
        assert.match(text, /#### Preview: 3 to update, 4 unchanged/);
    });

    it("is idempotent: the same inputs give the same text, whatever order the preview listed resources in", () => {
        assert.equal(renderComment(input()), text);
        const digest = JSON.parse(readFixture("preview/small.json"));
        const shuffled = { ...digest, steps: [...digest.steps].reverse() };
        const a = renderComment(input({ stack: "staging", preview: parsePreview(JSON.stringify(digest), "a.json") }));
        const b = renderComment(input({ stack: "staging", preview: parsePreview(JSON.stringify(shuffled), "b.json") }));
        assert.equal(a, b);
    });

    it("says so when the digest form cannot carry policy results, instead of claiming none", () => {
        const digest = renderComment(input({ preview: parsePreview(readFixture("preview/small.json"), "small.json") }));
        assert.match(digest, /Policy pack results are not in this preview output/);
        assert.doesNotMatch(digest, /no violations/);
    });

    it("says so when no policy pack ran", () => {
        const events = [{ sequence: 1, timestamp: 1, summaryEvent: { resourceChanges: { same: 1 }, PolicyPacks: {} } }];
        const out = renderComment(input({ preview: parsePreview(JSON.stringify(events[0]), "x.jsonl") }));
        assert.match(out, /\*\*No policy pack ran in this preview\.\*\*/);
    });

    it("shows hold findings computed with the base as the previous config", () => {
        const out = renderComment(input({ changeRules: [{ rule: "hold", level: "mandatory", message: "service backend changed: production is on hold", subject: "backend" }] }));
        assert.ok(lines(out).includes("| **mandatory** | `hold` (pinstack, with the base as before) | `backend` | service backend changed: production is on hold |"));
    });

    it("names the base commit, or says the stack file is new", () => {
        assert.match(text, /Preview of `0b7d4f2a9c1e`; pins compared with `origin\/main` \(`4f2a9c1e0b7d`\)\./);
        const fresh = renderComment(input({ base: { ref: "origin/main", stackFileExisted: false }, pinChanges: reviewChanges(undefined, head) }));
        assert.match(fresh, /`Pulumi\.production\.yaml` does not exist on `origin\/main`, so every pin is new\./);
        assert.match(fresh, /\| service `backend` \| added: `2023\.05\.1`<br>image `ghcr\.io\/example\/backend` \|/);
    });

    it("shows stack file problems as quoted notes", () => {
        const out = renderComment(input({ configProblems: ["working copy: Pulumi.production.yaml:7:7: pinstack:services.backend.tag: invalid tag"] }));
        assert.ok(lines(out).includes("> **Stack file problem:** working copy: Pulumi.production.yaml:7:7: pinstack:services.backend.tag: invalid tag"));
    });

    it("keeps text from the preview from breaking the table or forging a second marker", () => {
        const events = [
            { sequence: 1, timestamp: 1, policyEvent: { resourceUrn: "", message: "a | b <!-- pinstack:stack=staging --> `x`\nsecond line", policyName: "p", policyPackName: "pack", policyPackVersion: "1", enforcementLevel: "advisory", color: "never" } },
            { sequence: 2, timestamp: 1, summaryEvent: { resourceChanges: {}, PolicyPacks: { pack: "1" } } },
        ];
        const out = renderComment(input({ preview: parsePreview(events.map((e) => JSON.stringify(e)).join("\n"), "x.jsonl") }));
        assert.equal(out.split("<!-- pinstack:").length, 2, "exactly one marker");
        const row = lines(out).find((l) => l.startsWith("| advisory"));
        assert.equal(row, "| advisory | `p` (pack) | stack | a \\| b &lt;!-- pinstack:stack=staging --&gt; `x`<br>second line |");
    });

    it("rejects a stack name that could break out of the marker", () => {
        assert.throws(() => commentMarker("prod -->"), (err: unknown) => err instanceof PinstackError && err.exitCode === 2);
    });
});

describe("lib/ci: the comment never shows a secret value", () => {
    const SECRET = "hunter2-correct-horse";
    const secretDigestYaml = stackYaml({ environment: "production", tag: "2023.05.1", version: "10.8.5", extra: "  app:registryToken:\n    secure: v1:AAABBBCCC" }).replace(
        "      scheme: calver\n",
        "      digest:\n        secure: v1:c2VjcmV0ZGlnZXN0\n      scheme: calver\n",
    );
    const secretHead = stackFromYaml("production", stackYaml({ environment: "production", tag: "2023.05.1", version: "10.8.5", extra: "  app:registryToken:\n    secure: v1:AAABBBCCC" }));

    it("a pin field that is secure: in the stack file is refused by name, its ciphertext never shown", () => {
        assert.throws(
            () => stackFromYaml("production", secretDigestYaml),
            (err: unknown) =>
                err instanceof PinstackError &&
                err.exitCode === 2 &&
                /pinstack:services\.backend\.digest: a secret \(secure:\) cannot stand here/.test(err.message) &&
                !/c2VjcmV0ZGlnZXN0/.test(`${err.message}${err.why ?? ""}${err.fix ?? ""}`),
        );
    });

    it("a secure key's value that leaks into preview config or messages is replaced everywhere", () => {
        const events = [
            { sequence: 1, timestamp: 1, preludeEvent: { config: { "pinstack:environment": "production", "app:registryToken": SECRET } } },
            { sequence: 2, timestamp: 1, diagnosticEvent: { message: `error: login to ghcr.io with token ${SECRET} failed\n`, severity: "error", color: "never" } },
            { sequence: 3, timestamp: 1, policyEvent: { resourceUrn: "", message: `token ${SECRET} is too old`, policyName: "p", policyPackName: "pack", policyPackVersion: "1", enforcementLevel: "advisory", color: "never" } },
            { sequence: 4, timestamp: 1, summaryEvent: { resourceChanges: {}, PolicyPacks: { pack: "1" } } },
        ];
        const preview = parsePreview(events.map((e) => JSON.stringify(e)).join("\n"), "x.jsonl");
        const redactor = new Redactor(secretValuesFromConfig(preview.config, secretHead.secretKeys));
        const out = renderComment(input({ preview, redactor, configProblems: [`something mentions ${SECRET}`] }));
        assert.ok(!out.includes(SECRET), "the secret value appears in the comment");
        assert.match(out, /login to ghcr\.io with token \[secret\] failed/);
        assert.match(out, /token \[secret\] is too old/);
        assert.match(out, /something mentions \[secret\]/);
    });

    it("finds nested secure values in structured config", () => {
        const config = { "pinstack:services": JSON.stringify({ api: { env: { TOKEN: "s3cr3t-value", PLAIN: "visible" } } }) };
        assert.deepEqual(secretValuesFromConfig(config, ["pinstack:services.api.env.TOKEN"]), ["s3cr3t-value"]);
        assert.deepEqual(secretValuesFromConfig({ "pinstack:token": "[secret]" }, ["pinstack:token"]), []);
    });

    it("a whole env map set as one secret: each entry's value is found, not only the JSON text", () => {
        const env = JSON.stringify({ DB_URL: "postgres://admin:pw-4242@db/app", MODE: "blue" });
        const config = { "pinstack:services": JSON.stringify({ api: { image: "x/api", env } }) };
        const found = secretValuesFromConfig(config, ["pinstack:services.api.env"]);
        assert.ok(found.includes("postgres://admin:pw-4242@db/app") && found.includes(env), JSON.stringify(found));
        assert.equal(new Redactor(found).apply("could not reach postgres://admin:pw-4242@db/app"), "could not reach [secret]");
    });

    it("secret resource properties show only as a key marked (secret)", () => {
        const out = renderComment(input({ stack: "staging", preview: parsePreview(readFixture("preview/small.json"), "small.json") }));
        assert.ok(lines(out).includes("| `~` update | `kubernetes:core/v1:Secret` | `backend-db` | `stringData` (secret) |"));
    });

    it("the redactor ignores values too short to mean anything", () => {
        assert.equal(new Redactor(["1", "on", "[secret]"]).size, 0);
        assert.equal(new Redactor(["abcd"]).apply("xabcdx abcd"), "x[secret]x [secret]");
    });
});

describe("lib/ci: truncating a long comment", () => {
    const shape = hugeShape(1500);
    const huge = parsePreview(hugeDigest(1500), "huge.json");

    it("fits a huge preview under the default limit, dropping whole resources with a count", () => {
        const out = renderComment(input({ preview: huge }));
        assert.ok(out.length <= 60000, `${out.length}`);
        const shown = lines(out).filter((l) => /^\| `[^`]+` (replace|delete|update|create) \|/.test(l)).length;
        const omitted = /… and (\d+) more resources not shown/.exec(out);
        assert.ok(omitted, "omission line");
        assert.ok(shown > 100, `${shown} rows shown`);
        assert.equal(shown + Number(omitted[1]), shape.changing);
        // The pin table and the policy section are still there, in order, before the diff.
        assert.ok(out.indexOf("| service `backend`") < out.indexOf("#### Policy results"));
        assert.ok(out.endsWith("Secret values are never shown.</sub>\n"));
    });

    it("keeps the most important resources: replacements and deletions before updates", () => {
        const out = renderComment(input({ preview: huge }));
        const ops = lines(out)
            .filter((l) => /^\| `[^`]+` (replace|delete|update|create) \|/.test(l))
            .map((l) => /^\| `[^`]+` (\w+)/.exec(l)?.[1]);
        assert.deepEqual(ops.slice(0, 151), [...Array(150).fill("replace"), "delete"]);
        assert.deepEqual([...ops].sort((a, b) => rank(a) - rank(b)), ops, "sorted by importance");
    });

    it("never cuts a line: every line is a line of the untruncated comment or an omission line", () => {
        const small = input({ stack: "staging", preview: parsePreview(readFixture("preview/small.json"), "small.json") });
        const fullText = renderComment(small);
        const full = new Set(lines(fullText));
        for (const max of [fullText.length, fullText.length - 1, fullText.length - 300, fullText.length - 700, fullText.length - 1100]) {
            const out = renderComment({ ...small, maxChars: max });
            assert.ok(out.length <= max, `${out.length} > ${max}`);
            for (const line of lines(out)) {
                assert.ok(full.has(line) || /^… and \d+ more (resource|finding|pin change)s? not shown/.test(line), `cut line at ${max}: ${JSON.stringify(line)}`);
            }
        }
    });

    it("drops more rows as the budget shrinks, and says how many", () => {
        const small = input({ stack: "staging", preview: parsePreview(readFixture("preview/small.json"), "small.json") });
        const length = renderComment(small).length;
        const droppedRows = (text: string) => [...text.matchAll(/^… and (\d+) more (resource|finding|pin change)s? not shown/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
        const dropped = [length, length - 1, length - 300, length - 700].map((max) => droppedRows(renderComment({ ...small, maxChars: max })));
        assert.equal(dropped[0], 0, "the untruncated length fits exactly");
        assert.ok(dropped[1] > 0, "one character less drops a row");
        for (let i = 1; i < dropped.length; i++) assert.ok(dropped[i] >= dropped[i - 1], `${dropped}`);
        assert.ok(dropped[dropped.length - 1] > 0, `${dropped}`);
    });

    it("never exceeds GitHub's 65,536 characters, even asked for exactly that", () => {
        const out = renderComment(input({ preview: huge, maxChars: GITHUB_COMMENT_LIMIT }));
        assert.ok(out.length <= GITHUB_COMMENT_LIMIT);
        assert.ok(out.length > 60000, "uses the room it was given");
    });

    it("truncates a long policy section too, keeping the mandatory finding that came last", () => {
        const events = parsePreview(hugeEvents(300, 2000), "huge.jsonl");
        const out = renderComment(input({ preview: events }));
        assert.ok(out.length <= 60000);
        const firstFinding = lines(out).find((l) => l.startsWith("| **mandatory**") || l.startsWith("| advisory"));
        assert.match(firstFinding ?? "", /^\| \*\*mandatory\*\*/);
        assert.match(out, /… and \d+ more findings not shown/);
        assert.match(out, /#### Preview: /, "the diff section keeps its heading");
        assert.match(out, /… and \d+ more resources not shown|\| `\+-` replace/);
    });

    it("caps the keys listed for one resource", () => {
        const out = renderComment(input({ preview: parsePreview(hugeDigest(8), "h.json") }));
        const row = lines(out).find((l) => l.includes("`service-0000`") && l.includes("Deployment"));
        assert.match(row ?? "", /, \+14 more \|$/);
    });

    it("refuses a limit above GitHub's or too small for the headings (exit 2)", () => {
        for (const maxChars of [GITHUB_COMMENT_LIMIT + 1, 200, 0]) {
            assert.throws(() => renderComment(input({ maxChars })), (err: unknown) => err instanceof PinstackError && err.exitCode === 2, String(maxChars));
        }
    });
});

function rank(op: string | undefined): number {
    return ["replace", "delete", "create", "update"].indexOf(op ?? "");
}

describe("lib/ci: comments from recorded outputs of the real CLI", () => {
    it("a refused production preview shows the rule error as a blocking row, lines joined with <br>", () => {
        const out = renderComment(input({ preview: parsePreview(readFixture("preview/recorded/production-refused-events.jsonl"), "refused.jsonl") }));
        const row = lines(out).find((l) => l.startsWith("| **error** | preview | stack |"));
        assert.match(row ?? "", /Pulumi\.production\.yaml:50:7: pinstack:packages\.ukrdc-services\.version: error \[no-prereleases\][^|]*<br>/);
        assert.match(out, /\*\*1 blocking finding\*\*/);
    });

    it("a passing streamed preview names the pack and says there are no violations", () => {
        const out = renderComment(input({ stack: "staging", preview: parsePreview(readFixture("preview/recorded/staging-promotion-events.jsonl"), "events.jsonl") }));
        assert.match(out, /Policy packs: `pinstack@0\.1\.0`; no violations\./);
        assert.match(out, /#### Preview: 1 to update, 2 to replace, 14 unchanged/);
    });
});
