import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { commentMarker } from "../../../lib/ci";

/**
 * What the workflows promise, checked on the files themselves (actionlint checks that they
 * are valid; these check that they do what DESIGN.md and issue 8 ask), and the comment
 * upsert script run against a fake GitHub API.
 */

const dir = path.resolve(__dirname, "../../../.github/workflows");
const text = (name: string) => fs.readFileSync(path.join(dir, name), "utf8");

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Workflow = { on: any; permissions?: unknown; concurrency?: any; jobs: Record<string, any> };
const load = (name: string): Workflow => parse(text(name));

const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));

describe("the GitHub workflows", () => {
    it("are the four expected files", () => {
        assert.deepEqual(files.sort(), ["deploy-stack.yml", "main.yml", "production.yml", "pull-request.yml"]);
    });

    it("pin every action to a full commit SHA, with its version in a comment", () => {
        for (const file of files) {
            for (const line of text(file).split("\n").filter((l) => /^\s*(-\s*)?uses:/.test(l))) {
                const ref = /uses:\s*(\S+)/.exec(line)?.[1] ?? "";
                if (ref.startsWith("./")) continue; // this repository's reusable workflow
                assert.match(line, /uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/, `${file}: ${line.trim()}`);
            }
        }
    });

    it("grant nothing at the top and declare permissions on every job", () => {
        for (const file of files) {
            const workflow = load(file);
            assert.deepEqual(workflow.permissions, {}, file);
            for (const [id, job] of Object.entries(workflow.jobs)) assert.ok(job.permissions !== undefined, `${file}: job ${id} has no permissions:`);
        }
    });

    it("read secrets only in jobs that run in a GitHub environment", () => {
        for (const file of files) {
            for (const [id, job] of Object.entries(load(file).jobs)) {
                if (JSON.stringify(job).includes("secrets.")) assert.ok(job.environment, `${file}: job ${id} reads secrets without an environment`);
            }
        }
    });

    it("never interpolate commit messages, titles or dispatch inputs into run: scripts", () => {
        for (const file of files) {
            for (const [id, job] of Object.entries(load(file).jobs)) {
                for (const step of job.steps ?? []) {
                    if (typeof step.run !== "string") continue;
                    assert.doesNotMatch(step.run, /\$\{\{[^}]*(inputs\.|head_commit|pull_request\.(title|body)|github\.event\.)/, `${file}: ${id}: ${step.name ?? step.run.slice(0, 40)}`);
                }
            }
        }
    });

    describe("deploys (deploy-stack.yml)", () => {
        const deploy = load("deploy-stack.yml");
        const job = deploy.jobs.deploy;
        const step = (name: string) => job.steps.find((s: { name?: string }) => s.name === name);

        it("is a reusable workflow whose one job runs in the stack's environment", () => {
            assert.deepEqual(Object.keys(deploy.on), ["workflow_call"]);
            assert.deepEqual(job.environment, { name: "${{ inputs.stack }}" });
        });

        it("never runs two deploys of one stack at once, and never cancels one", () => {
            assert.deepEqual(job.concurrency, { group: "deploy-${{ inputs.stack }}", "cancel-in-progress": false });
        });

        it("has no write token: contents read, and an OIDC token for the cloud role", () => {
            assert.deepEqual(job.permissions, { contents: "read", "id-token": "write" });
            assert.ok(job.steps.some((s: { uses?: string; with?: Record<string, string> }) => s.uses?.startsWith("aws-actions/configure-aws-credentials@") && s.with?.["role-to-assume"] === "${{ vars.AWS_ROLE_ARN }}"));
            assert.doesNotMatch(text("deploy-stack.yml"), /aws-access-key-id|AWS_SECRET_ACCESS_KEY/);
        });

        it("runs the hold gate from the stack history before `pulumi up`, and up with pulumi/actions", () => {
            const names = job.steps.map((s: { name?: string }) => s.name);
            assert.ok(names.indexOf("Hold gate") < names.indexOf("pulumi up"));
            assert.match(step("Hold gate").run, /pulumi stack history --stack "\$STACK" --json > history\.json\n.*ci hold-gate --stack "\$STACK" --history history\.json/);
            const up = step("pulumi up");
            assert.match(up.uses, /^pulumi\/actions@[0-9a-f]{40}$/);
            assert.equal(up.with.command, "up");
            assert.equal(up.with["stack-name"], "${{ inputs.stack }}");
            assert.equal(up.with.message, "${{ steps.message.outputs.text }}");
            assert.match(up.with.policyPacks, /'policies'/);
            assert.equal(up.with.policyPackConfigs, "${{ steps.policy.outputs.file }}");
            assert.match(step("Policy pack config").run, /ci policy-config --stack "\$STACK" --outputs outputs\.json --history history\.json/);
        });

        it("reads the load-test label before the update, and judges the load test after it", () => {
            const names = job.steps.map((s: { name?: string }) => s.name);
            assert.ok(names.indexOf("Load-test mode") < names.indexOf("pulumi up"));
            assert.ok(names.indexOf("pulumi up") < names.indexOf("Load test"));
            assert.match(step("Load-test mode").run, /ci load-test-label --message-file commit-message\.txt/);
            assert.match(step("Load test").run, /scripts\/load-test "\$STACK"/);
            assert.match(step("Load-test verdict").run, /ci load-test-gate --stack "\$GATES" --mode "\$MODE" --outcome "\$OUTCOME" --json/);
        });

        it("publishes the release board after the update, a failed one too, as an artifact", () => {
            const names = job.steps.map((s: { name?: string }) => s.name);
            assert.ok(names.indexOf("pulumi up") < names.indexOf("Release board"));
            assert.equal(names.indexOf("Publish the release board"), names.indexOf("Release board") + 1);
            assert.match(step("Release board").if, /^always\(\)/);
            assert.match(step("Release board").run, /pinstack\.js report --html "\$RUNNER_TEMP\/release-board"/);
            const publish = step("Publish the release board");
            assert.match(publish.uses, /^actions\/upload-artifact@[0-9a-f]{40}$/);
            assert.equal(publish.with.path, "${{ runner.temp }}/release-board");
            assert.match(publish.if, /^always\(\)/);
        });
    });

    describe("push to main (main.yml)", () => {
        const main = load("main.yml");

        it("runs on pushes to main (and by hand, to choose the load-test mode)", () => {
            assert.deepEqual(main.on.push, { branches: ["main"] });
            assert.deepEqual(main.on.workflow_dispatch.inputs["load-test"].options, ["from-commit", "abort", "skip", "warn"]);
        });

        it("tests, then playground, then staging with the load test judged for production", () => {
            assert.equal(main.jobs.playground.needs, "test");
            assert.equal(main.jobs.playground.uses, "./.github/workflows/deploy-stack.yml");
            assert.equal(main.jobs.playground.with.stack, "playground");
            assert.equal(main.jobs.staging.needs, "playground");
            assert.equal(main.jobs.staging.with.stack, "staging");
            assert.equal(main.jobs.staging.with["load-test"], true);
            assert.equal(main.jobs.staging.with["load-test-gates"], "production");
            assert.match(main.jobs.test.steps.map((s: { run?: string }) => s.run ?? "").join("\n"), /bash scripts\/setup[\s\S]*npm test/);
        });

        it("records the load test on the commit in a job that holds only statuses: write", () => {
            const record = main.jobs["record-load-test"];
            assert.deepEqual(record.permissions, { statuses: "write" });
            assert.match(record.steps[0].run, /statuses\/\$GITHUB_SHA[\s\S]*context=pinstack\/load-test/);
        });
    });

    describe("production (production.yml)", () => {
        const production = load("production.yml");

        it("runs only by hand, with the promotion as a required input", () => {
            assert.deepEqual(Object.keys(production.on), ["workflow_dispatch"]);
            assert.equal(production.on.workflow_dispatch.inputs.promotion.required, true);
        });

        it("gates before approval: main only, pinstack check with the runbook gates from their sources, the recorded load test", () => {
            const steps = production.jobs.gate.steps;
            assert.equal(steps[0].if, "github.ref != 'refs/heads/main'");
            assert.equal(production.on.workflow_dispatch.inputs["release-issue"].required, true);
            const sources = steps.findIndex((s: { name?: string }) => s.name === "Runbook gates from their sources");
            const check = steps.findIndex((s: { name?: string }) => s.name === "pinstack check --stack production");
            assert.ok(sources >= 0 && sources < check, "the gate results are computed before the check");
            assert.equal(steps[sources].env.RELEASE_ISSUE, "${{ inputs.release-issue }}");
            assert.match(steps[sources].run, /gh api "repos\/\$GITHUB_REPOSITORY\/issues\/\$RELEASE_ISSUE" > release-issue\.json/);
            assert.match(steps[sources].run, /ci acceptance-checklist --issue-json release-issue\.json -o gates\/acceptance-checklist\.json \|\| \(\(\$\? == 1\)\)/);
            assert.match(steps[sources].run, /ci branch-tag --repo "sources\/\$name" --tag "\$tag" --image "\$image" --branch production -o "gates\/branch-tag-\$name\.json"/);
            assert.match(steps[check].run, /node bin\/pinstack\.js check --stack production --strict-gates "\$\{args\[@\]\}"/);
            const gate = steps.find((s: { name?: string }) => s.name === "Load-test gate").run;
            assert.match(gate, /select\(\.context == "pinstack\/load-test"\)/);
            assert.match(gate, /ci load-test-gate --stack production --record "\$record"/);
            assert.deepEqual(production.jobs.gate.permissions, { contents: "read", statuses: "read", issues: "read" });
            assert.equal(production.jobs.gate.environment, undefined, "no approval needed to be refused");
        });

        it("deploys through the shared job: environment production, head of main, the promotion as the message", () => {
            assert.equal(production.jobs.deploy.needs, "gate");
            assert.equal(production.jobs.deploy.uses, "./.github/workflows/deploy-stack.yml");
            assert.deepEqual(production.jobs.deploy.with, { stack: "production", message: "${{ inputs.promotion }}", "require-head-of-main": true, "gates-artifact": "gates-production" });
        });

        it("hands the gate results to the deploy: the pack checks them, the update message names each result and its source", () => {
            const upload = production.jobs.gate.steps.find((s: { name?: string }) => s.name === "Keep the gate results for the deploy");
            assert.deepEqual(upload.with, { name: "gates-production", path: "gates", "retention-days": 90 });
            const deploy = load("deploy-stack.yml").jobs.deploy.steps;
            const step = (name: string) => deploy.find((s: { name?: string }) => s.name === name);
            assert.deepEqual(step("Runbook gate results").with, { name: "${{ inputs.gates-artifact }}", path: "gates" });
            assert.match(step("Policy pack config").run, /ci policy-config --stack "\$STACK" --outputs outputs\.json --history history\.json "\$\{gates\[@\]\}"/);
            assert.match(step("Update message").run, /for result in gates\/\*\.json[\s\S]*\.gate\) \\\(\.outcome\)/);
        });
    });

    describe("pull requests (pull-request.yml)", () => {
        const pr = load("pull-request.yml");

        it("tests, then previews each changed stack from `pinstack ci changed-stacks`", () => {
            assert.match(pr.jobs["changed-stacks"].steps.at(-1).run, /ci changed-stacks --base-ref "\$BASE_REF" --json/);
            assert.deepEqual(pr.jobs.preview.needs, ["test", "changed-stacks"]);
            assert.equal(pr.jobs.preview.strategy.matrix.stack, "${{ fromJSON(needs.changed-stacks.outputs.stacks) }}");
            assert.equal(pr.jobs.preview.environment, "preview-${{ matrix.stack }}");
        });

        it("previews with --diff --json, the policy pack and the stack's policy config plus the deployed hold and pins", () => {
            const run = pr.jobs.preview.steps.find((s: { name?: string }) => s.name === "pulumi preview").run;
            assert.match(run, /args=\(--stack "\$STACK" --diff --json/);
            assert.match(run, /--policy-pack policies/);
            assert.match(run, /pulumi stack output --stack "\$STACK" --json > outputs\.json\n\s*pulumi stack history --stack "\$STACK" --json > history\.json\n\s*node bin\/pinstack\.js ci policy-config --stack "\$STACK" --outputs outputs\.json --history history\.json --output "\$RUNNER_TEMP\/policy-config\.json"/);
            assert.match(run, /--policy-pack-config "\$RUNNER_TEMP\/policy-config\.json"/);
            assert.match(run, /PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true pulumi preview/);
            const comment = pr.jobs.preview.steps.find((s: { name?: string }) => s.name === "Render the comment").run;
            assert.match(comment, /if \[\[ -f history\.json \]\]; then history=\(--history history\.json\); fi\n\s*node bin\/pinstack\.js ci comment .*\n.*"\$\{history\[@\]\}"/);
        });

        it("the job that runs the pull request's code cannot write; the job that comments runs none of it", () => {
            assert.deepEqual(pr.jobs.preview.permissions, { contents: "read", "id-token": "write" });
            assert.deepEqual(pr.jobs.comment.permissions, { "pull-requests": "write" });
            assert.ok(!pr.jobs.comment.steps.some((s: { uses?: string; run?: string }) => s.uses?.startsWith("actions/checkout@") || s.run), "no checkout, no run: in the comment job");
        });

        it("cancels a superseded preview (previews are not deploys)", () => {
            assert.deepEqual(pr.concurrency, { group: "pull-request-${{ github.event.pull_request.number }}", "cancel-in-progress": true });
        });
    });
});

/** The comment job's github-script, run against a fake GitHub API. */
describe("the comment upsert script (pull-request.yml, actions/github-script)", () => {
    const script: string = load("pull-request.yml").jobs.comment.steps.find((s: { uses?: string }) => s.uses?.startsWith("actions/github-script@")).with.script;
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor;

    interface Comment {
        id: number;
        body: string;
        user: { login: string; type: string };
    }

    async function run(stack: string, files: Record<string, string>, existing: Comment[]) {
        const calls: { method: string; args: Record<string, unknown> }[] = [];
        const listComments = async () => ({ data: existing });
        const github = {
            paginate: async (method: unknown, args: Record<string, unknown>) => {
                assert.equal(method, listComments);
                assert.deepEqual(args, { owner: "org", repo: "pinstack", issue_number: 42, per_page: 100 });
                return existing;
            },
            rest: {
                issues: {
                    listComments,
                    createComment: async (args: Record<string, unknown>) => calls.push({ method: "create", args }),
                    updateComment: async (args: Record<string, unknown>) => calls.push({ method: "update", args }),
                },
            },
        };
        const fakeFs = { existsSync: (f: string) => f in files, readFileSync: (f: string) => files[f] };
        const context = { repo: { owner: "org", repo: "pinstack" }, payload: { pull_request: { number: 42, head: { sha: "0b7d4f2a9c1e0b7d4f2a9c1e0b7d4f2a9c1e0b7d" } } } };
        const core = { info: () => undefined };
        const saved = { STACK: process.env.STACK, RUN_URL: process.env.RUN_URL };
        process.env.STACK = stack;
        process.env.RUN_URL = "https://github.com/org/pinstack/actions/runs/1";
        try {
            await new AsyncFunction("require", "github", "context", "core", script)((m: string) => (m === "fs" ? fakeFs : require(m)), github, context, core);
        } finally {
            for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
        }
        return calls;
    }

    const bot = { login: "github-actions[bot]", type: "Bot" };
    const body = (stack: string, rest = "content") => `${commentMarker(stack)}\n### pinstack preview: \`${stack}\`\n${rest}\n`;

    it("creates the comment when the stack has none", async () => {
        const calls = await run("staging", { "comment/staging.md": body("staging") }, [{ id: 1, body: body("production"), user: bot }]);
        assert.deepEqual(calls, [{ method: "create", args: { owner: "org", repo: "pinstack", issue_number: 42, body: body("staging") } }]);
    });

    it("updates the stack's own comment in place", async () => {
        const calls = await run("staging", { "comment/staging.md": body("staging", "new") }, [
            { id: 1, body: body("production"), user: bot },
            { id: 2, body: body("staging", "old"), user: bot },
        ]);
        assert.deepEqual(calls, [{ method: "update", args: { owner: "org", repo: "pinstack", comment_id: 2, body: body("staging", "new") } }]);
    });

    it("leaves an identical comment alone", async () => {
        assert.deepEqual(await run("staging", { "comment/staging.md": body("staging") }, [{ id: 2, body: body("staging"), user: bot }]), []);
    });

    it("never edits a person's comment that quotes the marker", async () => {
        const calls = await run("staging", { "comment/staging.md": body("staging") }, [{ id: 3, body: body("staging", "copied"), user: { login: "ana", type: "User" } }]);
        assert.equal(calls[0].method, "create");
    });

    it("without a rendered comment, posts a notice under the same marker (no stale preview is left standing)", async () => {
        const calls = await run("staging", {}, [{ id: 2, body: body("staging", "old preview"), user: bot }]);
        assert.equal(calls[0].method, "update");
        const posted = String(calls[0].args.body);
        assert.ok(posted.startsWith(`${commentMarker("staging")}\n`));
        assert.match(posted, /could not be rendered for 0b7d4f2a9c1e\.\*\* See https:\/\/github\.com\/org\/pinstack\/actions\/runs\/1/);
    });

    it("refuses a rendered file that does not start with the stack's marker", async () => {
        await assert.rejects(run("staging", { "comment/staging.md": body("production") }, []), /does not start with <!-- pinstack:stack=staging -->/);
    });
});
