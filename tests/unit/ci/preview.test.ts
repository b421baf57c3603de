import { strict as assert } from "assert";
import { parsePreview } from "../../../lib/ci";
import { parseUrn, stripColors } from "../../../lib/ci/preview";
import { PinstackError } from "../../../lib/errors";
import { readFixture } from "./helpers";

describe("lib/ci: reading `pulumi preview --json`", () => {
    describe("the digest (default --json output)", () => {
        const preview = parsePreview(readFixture("preview/small.json"), "small.json");
        const byName = (name: string) => {
            const found = preview.resources.find((r) => r.name === name);
            assert.ok(found, name);
            return found;
        };

        it("keeps one resource per URN, in preview order", () => {
            assert.equal(preview.format, "digest");
            assert.deepEqual(
                preview.resources.map((r) => `${r.op} ${r.name}`),
                ["same pinstack-staging", "update backend", "update backend-version", "replace backend-migrate", "update backend-db", "update packages-requirements", "create frontend-config"],
            );
        });

        it("folds the three steps of a replacement into one replace", () => {
            const job = byName("backend-migrate");
            assert.deepEqual(job.steps, ["create-replacement", "replace", "delete-replaced"]);
            assert.equal(job.op, "replace");
            assert.deepEqual(job.keys, [{ path: "spec.template.spec.containers[0].image", kind: "update", replace: true, secret: false }]);
        });

        it("lists changed keys from the detailed diff, sorted, with the type from the state", () => {
            const deployment = byName("backend");
            assert.equal(deployment.type, "kubernetes:apps/v1:Deployment");
            assert.deepEqual(
                deployment.keys.map((k) => k.path),
                ['metadata.labels["app.kubernetes.io/version"]', 'spec.template.metadata.labels["app.kubernetes.io/version"]', "spec.template.spec.containers[0].image"],
            );
        });

        it("marks keys whose values are secret ([secret] or additionalSecretOutputs)", () => {
            assert.deepEqual(byName("backend-db").keys, [{ path: "stringData", kind: "update", replace: false, secret: true }]);
        });

        it("keeps diagnostics with their severity, the change summary and the (blinded) config", () => {
            assert.deepEqual(preview.diagnostics.map((d) => d.severity), ["warning", "info"]);
            assert.match(preview.diagnostics[0].message, /sets no resource limits/);
            assert.deepEqual(preview.changeSummary, { create: 1, replace: 1, same: 3, update: 4 });
            assert.equal(preview.config["pinstack:dbPassword"], "[secret]");
        });

        it("cannot say whether policies ran (the digest has no policy events)", () => {
            assert.deepEqual(preview.policies, { ran: undefined, packs: [], findings: [] });
        });

        it("keeps no property values at all", () => {
            const text = JSON.stringify(preview.resources);
            assert.doesNotMatch(text, /2023\.0[56]\.1/);
            assert.doesNotMatch(text, /ghcr\.io/);
        });

        it("falls back to diffReasons when there is no detailed diff", () => {
            const digest = { steps: [{ op: "update", urn: "urn:pulumi:s::p::aws:s3/bucket:Bucket::logs", diffReasons: ["tags", "versioning"], replaceReasons: [], detailedDiff: null }] };
            const [bucket] = parsePreview(JSON.stringify(digest), "x.json").resources;
            assert.deepEqual(bucket.keys.map((k) => k.path), ["tags", "versioning"]);
            assert.equal(bucket.type, "aws:s3/bucket:Bucket");
        });
    });

    describe("the event stream (PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true)", () => {
        const preview = parsePreview(readFixture("preview/production-events.jsonl"), "production-events.jsonl");

        it("reads resources from resourcePreEvent metadata (diffKind, not kind)", () => {
            assert.equal(preview.format, "events");
            assert.deepEqual(preview.resources.filter((r) => r.op !== "same").map((r) => r.name), ["backend", "backend-version", "packages-requirements"]);
            assert.deepEqual(preview.resources[1].keys[0], { path: 'metadata.labels["app.kubernetes.io/version"]', kind: "update", replace: false, secret: false });
        });

        it("reads policy violations with level, policy, pack and resource, colour codes removed", () => {
            assert.equal(preview.policies.ran, true);
            assert.deepEqual(preview.policies.packs, ["pinstack@0.1.0"]);
            assert.deepEqual(
                preview.policies.findings.map((f) => [f.level, f.policy, f.pack, parseUrn(f.urn ?? "").name]),
                [
                    ["mandatory", "no-prereleases", "pinstack", "packages-requirements"],
                    ["advisory", "provenance", "pinstack", "backend"],
                ],
            );
            assert.match(preview.policies.findings[0].message, /^package ukrdc-services is pinned to the prerelease 10\.8\.5rc1/);
            assert.doesNotMatch(preview.policies.findings[0].message, /<\{%/);
        });

        it("skips ephemeral diagnostics and strips colour from the rest", () => {
            assert.deepEqual(preview.diagnostics.map((d) => [d.severity, d.message.trim()]), [["error", "error: preview failed: 1 mandatory policy violation"]]);
        });

        it("takes the change summary and config from summaryEvent and preludeEvent", () => {
            assert.deepEqual(preview.changeSummary, { same: 4, update: 3 });
            assert.equal(preview.config["pinstack:environment"], "production");
        });

        it("knows when no policy pack ran (a summary without packs or policy events)", () => {
            const lines = [
                { sequence: 1, timestamp: 1, resourcePreEvent: { metadata: { op: "create", urn: "urn:pulumi:s::p::kubernetes:core/v1:Namespace::ns", type: "kubernetes:core/v1:Namespace", detailedDiff: null } } },
                { sequence: 2, timestamp: 1, summaryEvent: { resourceChanges: { create: 1 }, PolicyPacks: {}, isPreview: true } },
            ];
            const parsed = parsePreview(lines.map((l) => JSON.stringify(l)).join("\n"), "x.jsonl");
            assert.equal(parsed.policies.ran, false);
        });

        it("a stream of one event is still a stream", () => {
            const parsed = parsePreview(JSON.stringify({ sequence: 1, timestamp: 1, summaryEvent: { resourceChanges: {}, PolicyPacks: { pinstack: "v1.0.0" } } }), "x.jsonl");
            assert.equal(parsed.format, "events");
            assert.deepEqual(parsed.policies.packs, ["pinstack@1.0.0"]);
        });
    });

    describe("bad input (exit 2, naming file and line)", () => {
        const fails = (text: string, message: RegExp, line?: number) => {
            assert.throws(
                () => parsePreview(text, "preview.json"),
                (err: unknown) => {
                    assert.ok(err instanceof PinstackError);
                    assert.equal(err.exitCode, 2);
                    assert.match(err.message, message);
                    if (line !== undefined) assert.equal(err.location?.line, line);
                    return true;
                },
            );
        };

        it("an empty file", () => fails("  \n", /preview\.json: the preview output is empty/));
        it("a broken pretty-printed digest: the line of the fault", () => fails('{\n    "steps": [\n        {"op": "update",}\n    ]\n}', /malformed JSON/, 3));
        it("a broken line in an event stream: that line", () => fails('{"sequence":1,"timestamp":1,"cancelEvent":{}}\n{"sequence":2, nope}\n', /malformed JSON on this line/, 2));
        it("a line that is not an engine event", () => fails('{"sequence":1,"timestamp":1,"cancelEvent":{}}\n{"hello":"world"}\n', /not a Pulumi engine event/, 2));
        it("JSON that is not an object", () => fails("[1, 2, 3]", /not an object/));
        it("a step without urn or op", () => fails('{"steps": [{"op": "create"}]}', /steps\[0\] has no urn or op/));
        it("steps that are not a list", () => fails('{"steps": {}}', /`steps` is not a list/));
        it("stderr mixed into stdout", () => fails('warning: A new version of Pulumi is available\n{"steps": []}', /malformed JSON/, 1));
    });

    it("parseUrn keeps names that contain ::, and drops the parent type", () => {
        assert.deepEqual(parseUrn("urn:pulumi:prod::proj::pinstack:index:ServiceRelease$kubernetes:apps/v1:Deployment::backend"), { type: "kubernetes:apps/v1:Deployment", name: "backend" });
        assert.deepEqual(parseUrn("urn:pulumi:prod::proj::aws:s3/bucket:Bucket::a::b"), { type: "aws:s3/bucket:Bucket", name: "a::b" });
    });

    it("stripColors removes Pulumi colour directives and ANSI escapes", () => {
        assert.equal(stripColors("<{%fg 1%}>error: <{%reset%}>\u001b[31mboom\u001b[0m"), "error: boom");
    });
});

describe("lib/ci: recorded outputs of the real CLI (tests/fixtures/preview/recorded)", () => {
    it("the digest of a new stack: every resource a create, no policy events", () => {
        const preview = parsePreview(readFixture("preview/recorded/staging-create-digest.json"), "digest.json");
        assert.equal(preview.format, "digest");
        assert.deepEqual(preview.changeSummary, { create: 17 });
        assert.equal(preview.resources.length, 17);
        assert.ok(preview.resources.every((r) => r.op === "create"));
        assert.equal(preview.policies.ran, undefined);
        assert.equal(preview.config["pinstack:environment"], "staging");
    });

    it("a promotion, streamed: replacements folded, keys from the detailed diff, the local pack named once, debug dropped", () => {
        const preview = parsePreview(readFixture("preview/recorded/staging-promotion-events.jsonl"), "events.jsonl");
        assert.deepEqual(preview.changeSummary, { replace: 2, same: 14, update: 1 });
        const changed = preview.resources.filter((r) => r.op !== "same");
        assert.deepEqual(changed.map((r) => `${r.op} ${r.name}`).sort(), ["replace backend-migrate", "replace backend-version", "update backend"]);
        const deployment = changed.find((r) => r.name === "backend");
        assert.ok(deployment?.keys.some((k) => k.path === "spec.template.spec.containers[0].image"));
        const job = changed.find((r) => r.name === "backend-migrate");
        assert.ok(job?.keys.some((k) => k.path === "metadata.name" && k.replace));
        assert.deepEqual(preview.policies, { ran: true, packs: ["pinstack@0.1.0"], findings: [] });
        assert.deepEqual(preview.diagnostics, []);
    });

    it("a refused production preview: the program's rule error, file, line and key included", () => {
        const preview = parsePreview(readFixture("preview/recorded/production-refused-events.jsonl"), "refused.jsonl");
        assert.deepEqual(preview.diagnostics.map((d) => d.severity), ["error"]);
        assert.match(preview.diagnostics[0].message, /^error: Pulumi\.production\.yaml:50:7: pinstack:packages\.ukrdc-services\.version: error \[no-prereleases\]/);
        assert.equal(preview.policies.ran, true);
    });
});
