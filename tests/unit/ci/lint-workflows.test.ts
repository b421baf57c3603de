import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.resolve(__dirname, "../../..");
const script = path.join(root, "scripts", "lint-workflows");

function lint(args: string[], env: NodeJS.ProcessEnv = {}): { code: number; out: string } {
    const result = spawnSync("bash", [script, ...args], { cwd: root, encoding: "utf8", timeout: 600_000, env: { ...process.env, ...env } });
    if (result.error) throw result.error;
    return { code: result.status ?? -1, out: `${result.stdout}${result.stderr}` };
}

describe("scripts/lint-workflows (actionlint)", function () {
    // The first run builds actionlint from the Go module proxy; later runs take well under a second.
    this.timeout(600_000);

    it("the repository's workflows lint clean", () => {
        const { code, out } = lint([]);
        assert.equal(code, 0, out);
        assert.match(out, /workflow file\(s\) clean \(actionlint v1\.7\.12/);
    });

    it("installs actionlint when it is missing (into PINSTACK_TOOLS_DIR), then lints", () => {
        const tools = fs.mkdtempSync(path.join(os.tmpdir(), "pinstack-tools-"));
        try {
            const { code, out } = lint([], { PINSTACK_TOOLS_DIR: tools });
            assert.equal(code, 0, out);
            assert.match(out, /building actionlint v1\.7\.12 from the Go module proxy/);
            assert.ok(fs.existsSync(path.join(tools, "actionlint-v1.7.12", "actionlint")));
            assert.doesNotMatch(lint([], { PINSTACK_TOOLS_DIR: tools }).out, /building/, "the second run only lints");
        } finally {
            fs.rmSync(tools, { recursive: true, force: true });
        }
    });

    it("fails on a deliberately broken workflow, naming each fault", () => {
        const { code, out } = lint(["tests/fixtures/workflows/broken.yml"]);
        assert.equal(code, 1, out);
        for (const finding of [
            /unknown permission scope "pull-request".*\[permissions\]/,
            /job "preview" needs job "build" which does not exist.*\[job-needs\]/,
            /"github\.event\.pull_request\.title" is potentially untrusted.*\[expression\]/,
            /undefined variable "secret".*\[expression\]/,
            /broken\.yml:23:26: .*\[syntax-check\]/,
        ]) {
            assert.match(out, finding);
        }
    });

    it("fails when one of our own workflows is broken (the clean result is not vacuous)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinstack-lint-"));
        try {
            const workflows = path.join(dir, ".github", "workflows");
            fs.mkdirSync(workflows, { recursive: true });
            for (const name of fs.readdirSync(path.join(root, ".github", "workflows"))) {
                fs.copyFileSync(path.join(root, ".github", "workflows", name), path.join(workflows, name));
            }
            // The preview matrix reads an output that no longer exists.
            const file = path.join(workflows, "pull-request.yml");
            const text = fs.readFileSync(file, "utf8");
            const broken = text.replace("stack: ${{ fromJSON(needs.changed-stacks.outputs.stacks) }}", "stack: ${{ fromJSON(needs.changed-stacks.outputs.stack_list) }}");
            assert.notEqual(broken, text);
            fs.writeFileSync(file, broken);
            const { code, out } = lint([file]);
            assert.equal(code, 1, out);
            assert.match(out, /property "stack_list" is not defined/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
