import { execFileSync } from "child_process";
import { Command, Option } from "commander";
import * as fs from "fs";
import * as path from "path";
import { assertWithinLimit, readLimitedText } from "../../lib/config/limits";
import {
    acceptanceChecklistGate,
    branchTagGate,
    changedStacks,
    DEFAULT_MAX_CHARS,
    deployedCommitFromHistory,
    deployedFacts,
    earlierPinsFromHistory,
    formatGateResult,
    formatLoadTestRecord,
    GateResult,
    GITHUB_COMMENT_LIMIT,
    historyUpdates,
    holdGate,
    issueFromApiJson,
    LOAD_TEST_MODES,
    LOAD_TEST_OUTCOMES,
    LoadTestMode,
    LoadTestOutcome,
    loadTestVerdict,
    parseLoadTestLabel,
    parseLoadTestRecord,
    parsePreview,
    parsePolicyConfig,
    Redactor,
    releaseBranchGate,
    renderComment,
    reviewChanges,
    secretValuesFromConfig,
    withDeployedFacts,
    withFreeze,
    withGateResults,
} from "../../lib/ci";
import { gatesWithResultFiles } from "../gate-files";
import { listStacks, loadStack, parseStackConfig, parseStackFileText, presetWithinFloor, readStackFile, stackFilePath } from "../../lib/config";
import { badInput, ExitCode, formatLocation, PinstackError } from "../../lib/errors";
import { jsonLine } from "../../lib/format";
import { earlierPinsOf } from "../../lib/history";
import type { StackConfig, Violation } from "../../lib/model";
import { currentTime, describeFreeze, type Freeze, type FreezeFacts, freezeFacts, isFrozen, stackFreeze } from "../../lib/freeze";
import { packageSubject, serviceSubject, verifySeal } from "../../lib/provenance";
import { effectivePreset, evaluateStack } from "../../lib/rules";

/**
 * `pinstack ci ...`: what the GitHub workflows run. Every decision a workflow takes (which
 * stacks to preview, what the PR comment says, whether staging or production may be
 * deployed) is made here, where it is tested, and not in workflow YAML.
 */
export function register(program: Command): void {
    const ci = program
        .command("ci")
        .description("CI helpers: PR comment, changed stacks, policy config, the runbook gates (load test, hold, release branch, branch tag, acceptance checklist; used by .github/workflows)")
        .addHelpText(
            "after",
            `
Examples:
  $ pinstack ci changed-stacks --base-ref origin/main --json
  $ pinstack ci comment --stack staging --preview preview.json --base-ref origin/main
  $ pinstack ci policy-config --stack production --outputs outputs.json -o policy-config.json
  $ pinstack ci load-test-label --message "Merge #42 [load test: skip]"
  $ pinstack ci load-test-gate --stack staging --mode abort --outcome failed
  $ pulumi stack history -s production --json | pinstack ci hold-gate --stack production --history -
  $ pinstack ci release-branch --repo app --release release --onto master -o release-branch.json
  $ pinstack ci branch-tag --repo backend --tag 2023.05.1 --branch production --image ghcr.io/x/backend -o tag.json
  $ gh api repos/O/R/issues/42 | pinstack ci acceptance-checklist --issue-json - -o acceptance.json
  $ pinstack check -s production --strict-gates --gates release-branch.json --gates tag.json --gates acceptance.json`,
        );

    ci.command("comment")
        .description("render the pull request comment for one stack: pin changes, policy results, preview diff")
        .requiredOption("-s, --stack <stack>", "the stack the preview ran on")
        .requiredOption("--preview <file>", "output of `pulumi preview --json` (digest, or the event stream)")
        .addOption(new Option("--base-ref <ref>", "git ref whose Pulumi.<stack>.yaml holds the \"from\" pins (its merge base with HEAD is used)").conflicts("baseDir"))
        .option("--base-dir <dir>", "directory holding the base version of Pulumi.<stack>.yaml (instead of git)")
        .option("--commit <sha>", "commit the preview ran on, shown in the comment")
        .option("--history <file>", "output of `pulumi stack history --json`: on hold, a pin returning to one the stack ran is not flagged")
        .option("--now <time>", "judge the stack's freeze at this time instead of the clock (also $PINSTACK_NOW)")
        .option("--max-chars <n>", `longest comment to write (at most ${GITHUB_COMMENT_LIMIT}, GitHub's limit)`, String(DEFAULT_MAX_CHARS))
        .option("-o, --output <file>", "write the comment to this file (atomically) instead of stdout")
        .addHelpText(
            "after",
            `
Without --base-ref or --base-dir the base is origin/main.

Example:
  $ PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true pulumi preview -s staging --diff --json \\
      --policy-pack policies --policy-pack-config policies/config.staging.json > preview.json
  $ pinstack ci comment --stack staging --preview preview.json --base-ref origin/main -o comment.md`,
        )
        .action((options: CommentOptions, command: Command) => {
            const dir: string = command.optsWithGlobals().dir;
            const text = renderCommentFor(dir, options);
            if (options.output) writeAtomic(options.output, text);
            else process.stdout.write(text);
        });

    ci.command("changed-stacks")
        .description("stacks whose stack file, policy config or code a change touches (the PR preview matrix)")
        .addOption(new Option("--files <file>", "file listing changed paths, one per line, relative to the project directory ('-' for stdin)").conflicts("baseRef"))
        .option("--base-ref <ref>", "compare the working copy with the merge base of this ref (default origin/main)")
        .option("--json", "one JSON line: {stacks, reasons, removed, ignored}")
        .action((options: { files?: string; baseRef?: string; json?: boolean }, command: Command) => {
            const dir: string = command.optsWithGlobals().dir;
            const paths = options.files !== undefined ? readPathList(options.files) : changedPathsFromGit(dir, options.baseRef ?? "origin/main");
            const result = changedStacks(paths, listStacks(dir));
            if (options.json) {
                process.stdout.write(jsonLine(result));
            } else {
                for (const stack of result.stacks) process.stdout.write(`${stack}\t${result.reasons[stack].join(", ")}\n`);
                for (const stack of result.removed) process.stderr.write(`note: Pulumi.${stack}.yaml is deleted by this change; nothing to preview\n`);
            }
        });

    ci.command("policy-config")
        .description("the policy pack config for a preview or update: policies/config.<stack>.json plus the deployed stack's hold and pins, and the pins it ran before")
        .requiredOption("-s, --stack <stack>", "the stack being previewed or updated")
        .requiredOption("--outputs <file>", "output of `pulumi stack output --json` for the stack ('-' for stdin; {} when never deployed)")
        .option("--history <file>", "output of `pulumi stack history --json` for the stack: the pins its successful updates ran, which a stack on hold may return to")
        .option("--config <file>", "the pack config to start from (default: policies/config.<stack>.json in the project directory)")
        .option("--gates <file>", "a gate result from `pinstack ci branch-tag|acceptance-checklist|release-branch -o` (repeatable): given to the pack, strict", collect, [])
        .option("-o, --output <file>", "write the merged config to this file (atomically) instead of stdout")
        .option("--now <time>", "judge the stack's freeze at this time instead of the clock (also $PINSTACK_NOW)")
        .addHelpText(
            "after",
            `
When Pulumi.<stack>.yaml is frozen now (docs/freeze.md), hold.freeze names the freeze and the
pins promoted with --break-glass through it: the hold policy then refuses every other change
that is not a return to pins the stack ran before.

The hold policy judges a change against what runs now and what ran before; a policy only sees
the new program, so CI passes the deployed stack's hold flag, per-service references and
per-package versions (--outputs) and the pins of its successful updates (--history). Without
--history, a stack on hold may not move any pin.

Example:
  $ pulumi stack output -s production --json > outputs.json
  $ pulumi stack history -s production --json > history.json
  $ pinstack ci policy-config -s production --outputs outputs.json --history history.json -o policy-config.json
  $ pulumi up -s production --policy-pack policies --policy-pack-config policy-config.json`,
        )
        .action((options: { stack: string; outputs: string; history?: string; config?: string; gates: string[]; output?: string; now?: string }, command: Command) => {
            const dir: string = command.optsWithGlobals().dir;
            const configFile = options.config ?? path.join(dir, "policies", `config.${options.stack}.json`);
            const config = parsePolicyConfig(readInput(configFile, "--config"), configFile);
            const facts = deployedFacts(readInput(options.outputs, "--outputs"), options.outputs);
            const earlier = options.history !== undefined ? earlierPinsFromHistory(readInput(options.history, "--history"), options.history) : undefined;
            const now = currentTime(options.now);
            // The deployed config's freeze counts too: the change under review cannot lift it for itself.
            const deployedFreeze = facts?.freeze ? isFrozen(now, facts.freeze.windows, facts.freeze.active) : undefined;
            const deployed = withFreeze(withDeployedFacts(config, facts, earlier), stackFreezeFacts(dir, options.stack, now, deployedFreeze));
            const merged = options.gates.length > 0 ? withGateResults(deployed, gatesWithResultFiles(options.gates, {})) : deployed;
            const text = `${JSON.stringify(merged, null, 2)}\n`;
            if (options.output) writeAtomic(options.output, text);
            else process.stdout.write(text);
        });

    ci.command("load-test-label")
        .description("read Merino's [load test: abort|skip|warn] label from a commit message (no label: warn)")
        .addOption(new Option("--message <text>", "the commit message").conflicts("messageFile"))
        .option("--message-file <file>", "file holding the commit message ('-' for stdin)")
        .option("--json", "one JSON line: {mode, source, label}")
        .addHelpText("after", "\nPrints abort, skip or warn. Exit 2 when the message has a malformed or conflicting label.")
        .action((options: { message?: string; messageFile?: string; json?: boolean }) => {
            if (options.message === undefined && options.messageFile === undefined) {
                throw badInput("give the commit message with --message <text> or --message-file <file>");
            }
            const message = options.message ?? readInput(options.messageFile as string, "--message-file");
            const label = parseLoadTestLabel(message);
            if (label.kind === "malformed") {
                throw badInput(`malformed load-test label ${JSON.stringify(label.label)}: ${label.problem}`, {
                    why: "the deployment must not guess what a misspelt label meant",
                    fix: "write exactly [load test: abort], [load test: skip] or [load test: warn]; to deploy this commit, run the deploy workflow by hand and choose the mode",
                });
            }
            const out = { mode: label.mode, source: label.kind, label: label.kind === "label" ? label.label : null };
            process.stdout.write(options.json ? jsonLine(out) : `${label.mode}\n`);
        });

    ci.command("load-test-gate")
        .description("decide whether a stack may be deployed after its load test (lib/rules' load-test-gate, strict)")
        .requiredOption("-s, --stack <stack>", "the stack about to be deployed")
        .addOption(new Option("--mode <mode>", "the label's mode").choices([...LOAD_TEST_MODES]).conflicts("record"))
        .addOption(new Option("--outcome <outcome>", "what the load test did").choices([...LOAD_TEST_OUTCOMES]).conflicts("record"))
        .option("--record <text>", "mode and outcome as CI records them on the commit: 'mode=<mode> outcome=<outcome>'")
        .option("--json", "one JSON line: {stack, mode, outcome, record, deploy, level, message}")
        .addHelpText("after", "\nExit 0: deploy (a warning is printed when there is one); exit 1: do not deploy.")
        .action((options: { stack: string; mode?: LoadTestMode; outcome?: LoadTestOutcome; record?: string; json?: boolean }, command: Command) => {
            const dir: string = command.optsWithGlobals().dir;
            let mode = options.mode;
            let outcome = options.outcome;
            if (options.record !== undefined) {
                const record = parseLoadTestRecord(options.record);
                if (!record) throw badInput(`--record ${JSON.stringify(options.record)}: expected 'mode=<abort|skip|warn> outcome=<passed|failed|not-run>'`);
                ({ mode, outcome } = record);
            }
            if (mode === undefined || outcome === undefined) throw badInput("give --mode and --outcome, or --record", { fix: "e.g. --mode warn --outcome failed" });
            const config = loadStack(dir, options.stack);
            presetWithinFloor(dir, config);
            const verdict = loadTestVerdict(config, mode, outcome);
            const record = formatLoadTestRecord(mode, outcome);
            if (options.json) process.stdout.write(jsonLine({ stack: options.stack, mode, outcome, record, ...verdict }));
            else process.stdout.write(`${verdict.level}: ${verdict.message}\n`);
            if (!verdict.deploy) process.exitCode = ExitCode.refused;
        });

    ci.command("release-branch")
        .description("METASPACE: the release branch is a fast-forward of master (git merge-base --is-ancestor); nothing is moved")
        .requiredOption("--repo <dir>", "the application's git repository")
        .option("--release <branch>", "the release branch", "release")
        .option("--onto <branch>", "the branch release must fast-forward to", "master")
        .option("--json", "one JSON line: the gate result")
        .option("-o, --output <file>", "write the gate result for `pinstack check --gates` to this file (atomically)")
        .addHelpText("after", `\n${GATE_EXIT_CODES}`)
        .action((options: { repo: string; release: string; onto: string; json?: boolean; output?: string }) => {
            reportGate(releaseBranchGate(options.repo, options.release, options.onto), options);
        });

    ci.command("branch-tag")
        .description("Fragalysis: the tag's commit is reachable from a production branch; the result feeds production-branch-tag")
        .requiredOption("--repo <dir>", "the git repository the image is built from")
        .requiredOption("--tag <tag>", "the git tag (the image tag pinned)")
        .requiredOption("--image <repository>", "the image repository the tag is pinned for, as in the stack file (e.g. ghcr.io/x/backend)")
        .option("--branch <branch>", "a production branch (repeat for several; default production)", collect, [])
        .option("--json", "one JSON line: the gate result")
        .option("-o, --output <file>", "write the gate result for `pinstack check --gates` to this file (atomically)")
        .addHelpText("after", `\n${GATE_EXIT_CODES}`)
        .action((options: { repo: string; tag: string; image: string; branch: string[]; json?: boolean; output?: string }) => {
            const branches = options.branch.length > 0 ? options.branch : ["production"];
            reportGate(branchTagGate(options.repo, options.tag, branches, options.image), options);
        });

    ci.command("acceptance-checklist")
        .description("GWCelery: every checkbox of the release issue is ticked (issue markdown, or GitHub/GitLab issue JSON)")
        .addOption(new Option("--issue <file>", "the issue's markdown ('-' for stdin)").conflicts("issueJson"))
        .option("--issue-json <file>", "the issue as GitHub's or GitLab's API returns it ('-' for stdin)")
        .option("--json", "one JSON line: the gate result")
        .option("-o, --output <file>", "write the gate result for `pinstack check --gates` to this file (atomically)")
        .addHelpText("after", `\nAn issue without checkboxes fails: it proves nothing.\n${GATE_EXIT_CODES}`)
        .action((options: { issue?: string; issueJson?: string; json?: boolean; output?: string }) => {
            if (options.issue === undefined && options.issueJson === undefined) throw badInput("give the release issue with --issue <file> or --issue-json <file>");
            const issue =
                options.issueJson !== undefined
                    ? issueFromApiJson(readInput(options.issueJson, "--issue-json"), options.issueJson === "-" ? "stdin" : options.issueJson)
                    : { text: readInput(options.issue as string, "--issue"), issue: options.issue === "-" ? "stdin" : (options.issue as string) };
            reportGate(acceptanceChecklistGate(issue), options);
        });

    ci.command("hold-gate")
        .description("refuse to deploy a stack on hold unless it runs what it runs now or pins it ran before (lib/rules' hold rule)")
        .requiredOption("-s, --stack <stack>", "the stack about to be deployed")
        .addOption(new Option("--deployed-ref <ref>", "git commit of the stack's last successful update (no history: no pin may move)").conflicts("history"))
        .option("--history <file>", "output of `pulumi stack history --json`: the last successful update's commit is the deployed one, and the pins every successful update ran are the ones a rollback may return to ('-' for stdin)")
        .option("--json", "one JSON line: {stack, refused, onHold, frozen, message, violations}")
        .option("--now <time>", "judge the stack's freeze at this time instead of the clock (also $PINSTACK_NOW)")
        .addHelpText(
            "after",
            `
On hold, every service and package must run what the deployed commit pins, or a pin that a
successful update recorded in the history ran; a removed service or package is refused, and a
\`rollback: true\` provenance counts for nothing (anyone can write one and recompute its seal).

A frozen stack (docs/freeze.md) is gated the same way, except for pins promoted with --break-glass.

Exit 0: may deploy; exit 1: on hold or frozen and the change is not a return to earlier pins; exit 2: unreadable config, history or unknown ref.`,
        )
        .action((options: { stack: string; deployedRef?: string; history?: string; json?: boolean; now?: string }, command: Command) => {
            const dir: string = command.optsWithGlobals().dir;
            const config = loadStack(dir, options.stack);
            presetWithinFloor(dir, config);
            const historyText = options.history !== undefined ? readInput(options.history, "--history") : undefined;
            const deployedRef = historyText !== undefined ? deployedCommitFromHistory(historyText, options.history as string) : options.deployedRef;
            const earlier = historyText !== undefined ? earlierPinsOf(historyUpdates(historyText, options.history as string)) : undefined;
            let deployed: StackConfig | undefined;
            if (deployedRef) {
                const text = gitShowStackFile(dir, options.stack, resolveCommit(dir, deployedRef));
                if (text === undefined) throw badInput(`Pulumi.${options.stack}.yaml does not exist at ${deployedRef}`, { fix: "pass the commit of the stack's last successful update" });
                deployed = parseStackText(dir, options.stack, text, deployedRef);
            }
            const now = currentTime(options.now);
            const verdict = holdGate(config, deployed, earlier, stackFreezeFacts(dir, options.stack, now, deployed ? stackFreeze(deployed, now) : undefined));
            if (options.json) {
                process.stdout.write(jsonLine({ stack: options.stack, refused: verdict.refused, onHold: verdict.onHold, frozen: verdict.frozen, message: verdict.message, violations: verdict.violations.map(violationJson) }));
            } else {
                process.stdout.write(`${verdict.refused ? "refused" : "ok"}: ${verdict.message}\n`);
            }
            if (verdict.refused) process.exitCode = ExitCode.refused;
        });
}

const GATE_EXIT_CODES = "Exit 0: passed; 1: failed (the result is still written with --output); 2: bad input (no repository, branch, tag or issue text; nothing written).";

/** Prints a gate result and writes it for `check --gates`; a failed gate exits 1. */
function reportGate(result: GateResult, options: { json?: boolean; output?: string }): void {
    if (options.output) writeAtomic(options.output, formatGateResult(result));
    if (options.json) process.stdout.write(jsonLine(result));
    else process.stdout.write(`${result.outcome}: ${result.message}\n`);
    if (result.outcome === "failed") process.exitCode = ExitCode.refused;
}

function collect(value: string, previous: string[]): string[] {
    return [...previous, value];
}

interface CommentOptions {
    stack: string;
    preview: string;
    baseRef?: string;
    baseDir?: string;
    commit?: string;
    history?: string;
    maxChars: string;
    output?: string;
    now?: string;
}

function renderCommentFor(dir: string, options: CommentOptions): string {
    const maxChars = parseMaxChars(options.maxChars);
    const preview = parsePreview(readInput(options.preview, "--preview"), options.preview);
    const problems: string[] = [];

    // Head: the working copy. An invalid file is shown in the comment (the reviewer must see
    // it); a missing one is bad input, since there is no stack to comment on.
    if (!listStacks(dir).includes(options.stack)) loadStack(dir, options.stack); // throws "unknown stack", exit 2
    let head: StackConfig | undefined;
    try {
        head = loadStack(dir, options.stack);
    } catch (err) {
        if (!(err instanceof PinstackError) || err.exitCode !== ExitCode.badInput) throw err;
        problems.push(`working copy: ${describe(err)}`);
    }
    // The reviewer must see a file that loosens its own floor: the pack refuses it at preview.
    if (head) {
        try {
            presetWithinFloor(dir, head);
        } catch (err) {
            if (!(err instanceof PinstackError)) throw err;
            problems.push(`working copy: ${describe(err)}`);
        }
    }

    // Base: the same stack file before the change.
    let baseLabel: string;
    let baseCommit: string | undefined;
    let baseText: string | undefined;
    if (options.baseDir !== undefined) {
        baseLabel = options.baseDir;
        const file = stackFilePath(options.baseDir, options.stack);
        if (!fs.existsSync(options.baseDir) || !fs.statSync(options.baseDir).isDirectory()) {
            throw badInput(`--base-dir ${options.baseDir}: no such directory`, { fix: "pass the directory holding the base version of the stack files" });
        }
        baseText = readLimitedText(file) ?? undefined;
    } else {
        baseLabel = options.baseRef ?? "origin/main";
        baseCommit = mergeBase(dir, baseLabel);
        baseText = gitShowStackFile(dir, options.stack, baseCommit);
    }
    let base: StackConfig | undefined;
    if (baseText !== undefined) {
        try {
            base = parseStackText(dir, options.stack, baseText, baseLabel);
        } catch (err) {
            if (!(err instanceof PinstackError) || err.exitCode !== ExitCode.badInput) throw err;
            problems.push(`base (${baseLabel}): ${describe(err)}; its pins are left out of the comparison`);
        }
    }

    // From the files as read, not the parsed stacks: a file refused for a misplaced secret
    // still names its secret keys, so their values are kept out of the comment.
    const secretKeys = [
        ...secretKeysOf(() => readStackFile(stackFilePath(dir, options.stack), { project: projectName(dir) })),
        ...(baseText !== undefined ? secretKeysOf(() => parseStackFileText(baseLabel, baseText!, { project: projectName(dir) })) : []),
    ];
    const earlier = options.history !== undefined ? earlierPinsOf(historyUpdates(readInput(options.history, "--history"), options.history)) : undefined;
    const changeRules: Violation[] = head && base ? evaluateStack(head, effectivePreset(head), { previous: base, earlier }).filter((v) => v.rule === "hold") : [];
    const pinChanges = head ? reviewChanges(base, head) : [];
    return renderComment({
        stack: options.stack,
        pinChanges,
        preview,
        base: { ref: baseLabel, commit: baseCommit, stackFileExisted: baseText !== undefined },
        commit: options.commit,
        configProblems: problems,
        changeRules,
        ...(head ? { freeze: commentFreeze(head, pinChanges.map((c) => c.name), currentTime(options.now)) } : {}),
        redactor: new Redactor(secretValuesFromConfig(preview.config, secretKeys)),
        maxChars,
    });
}

function parseMaxChars(value: string): number {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1 || n > GITHUB_COMMENT_LIMIT) {
        throw badInput(`--max-chars ${value}: must be a whole number from 1 to ${GITHUB_COMMENT_LIMIT}`, { fix: `omit it for the default (${DEFAULT_MAX_CHARS})` });
    }
    return n;
}

function secretKeysOf(read: () => { secretKeys: readonly string[] }): readonly string[] {
    try {
        return read().secretKeys;
    } catch {
        return []; // unreadable or malformed: reported above, and it yields no values to hide
    }
}

function describe(err: PinstackError): string {
    const where = err.location ? `${formatLocation(err.location)}: ` : "";
    return `${where}${err.what}${err.fix ? ` (${err.fix})` : ""}`;
}

/** Parses a stack file's text from another version; messages name the version. */
function parseStackText(dir: string, stack: string, text: string, version: string): StackConfig {
    const file = `${path.relative(process.cwd(), stackFilePath(dir, stack)) || stackFilePath(dir, stack)}@${version}`;
    const parsed = parseStackFileText(file, text, { project: projectName(dir) });
    return parseStackConfig(stack, file, parsed.raw, parsed.locate, { secretKeys: parsed.secretKeys, project: projectName(dir) });
}

function projectName(dir: string): string {
    try {
        const match = /^name:\s*['"]?([A-Za-z0-9_.-]+)/m.exec(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8"));
        return match ? match[1] : "pinstack";
    } catch {
        return "pinstack";
    }
}

// ---------------------------------------------------------------------------- git

function git(dir: string, args: readonly string[]): string {
    return execFileSync("git", ["-C", dir, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
}

function gitError(err: unknown): string {
    const stderr = (err as { stderr?: string }).stderr;
    return (typeof stderr === "string" && stderr.trim() ? stderr.trim().split("\n")[0] : String(err)).replace(/^fatal:\s*/, "");
}

function resolveCommit(dir: string, ref: string): string {
    if (ref.startsWith("-")) throw badInput(`invalid git ref '${ref}'`);
    try {
        return git(dir, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]).trim();
    } catch (err) {
        throw badInput(`unknown git ref '${ref}' in ${dir}`, {
            why: gitError(err) || "git rev-parse found no such commit",
            fix: "fetch it first (actions/checkout with fetch-depth: 0, or git fetch origin <branch>)",
        });
    }
}

function mergeBase(dir: string, ref: string): string {
    const commit = resolveCommit(dir, ref);
    try {
        return git(dir, ["merge-base", commit, "HEAD"]).trim();
    } catch (err) {
        throw badInput(`no common ancestor of ${ref} and HEAD`, { why: gitError(err), fix: "fetch the full history (fetch-depth: 0)" });
    }
}

/** The stack file's text at a commit; undefined when it does not exist there. */
function gitShowStackFile(dir: string, stack: string, commit: string): string | undefined {
    for (const name of [`Pulumi.${stack}.yaml`, `Pulumi.${stack}.yml`]) {
        // `./` makes the path relative to dir, wherever dir is inside the repository.
        const spec = `${commit}:./${name}`;
        let size: number;
        try {
            size = Number(git(dir, ["cat-file", "-s", spec]).trim());
        } catch {
            continue;
        }
        assertWithinLimit(`${commit.slice(0, 12)}:${name}`, size);
        return git(dir, ["show", spec]);
    }
    return undefined;
}

/** Paths changed between the merge base of `ref` and the working copy (untracked files included), relative to dir. */
function changedPathsFromGit(dir: string, ref: string): string[] {
    const base = mergeBase(dir, ref);
    const changed = git(dir, ["diff", "--name-only", "--relative", "--no-renames", base]);
    const untracked = git(dir, ["ls-files", "--others", "--exclude-standard"]);
    return [...changed.split("\n"), ...untracked.split("\n")].filter((line) => line.trim() !== "");
}

// ---------------------------------------------------------------------------- files

function readInput(file: string, option: string): string {
    try {
        return fs.readFileSync(file === "-" ? 0 : file, "utf8");
    } catch (err) {
        throw badInput(`${option} ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
}

function readPathList(file: string): string[] {
    return readInput(file, "--files")
        .split(/\r?\n/)
        .filter((line) => line.trim() !== "");
}

/** Temp file in the same directory, then rename: readers never see half a comment. */
function writeAtomic(file: string, text: string): void {
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
    try {
        fs.writeFileSync(tmp, text);
        fs.renameSync(tmp, file);
    } catch (err) {
        fs.rmSync(tmp, { force: true });
        throw badInput(`--output ${file}: cannot write it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
}

function violationJson(v: Violation) {
    return { rule: v.rule, level: v.level, message: v.message, subject: v.subject ?? "", file: v.location?.file ?? "", line: v.location?.line ?? 0, key: v.location?.key ?? "" };
}

/**
 * The stack's freeze at `now` for the pack and the deploy gate, with the pins that broke the
 * glass through it; a stack without a stack file (a pack config for a stack pinstack does not
 * manage) has none. The deployed config's freeze counts too, so a change that deletes the
 * freeze from the file does not lift it for its own preview or deploy.
 */
function stackFreezeFacts(dir: string, stack: string, now: Date, deployedFreeze?: Freeze): FreezeFacts | undefined {
    if (!listStacks(dir).includes(stack)) return undefined;
    const config = loadStack(dir, stack);
    const freeze = stackFreeze(config, now) ?? deployedFreeze;
    if (!freeze) return undefined;
    return freezeFacts(config, freeze, (kind, name) => {
        const service = kind === "service" ? config.services.find((s) => s.name === name) : undefined;
        const pkg = kind === "package" ? config.packages.find((p) => p.name === name) : undefined;
        const provenance = service?.provenance ?? pkg?.provenance;
        return provenance !== undefined && verifySeal(service ? serviceSubject(service) : packageSubject(pkg!), provenance);
    });
}

/** The comment's freeze lines: the freeze the stack is under now, and the changed pins that broke the glass. */
function commentFreeze(head: StackConfig, changed: readonly string[], now: Date): { frozen?: string; breakGlass: string[] } {
    const freeze = stackFreeze(head, now);
    const names = new Set(changed);
    const pins = [...head.services.map((s) => ({ kind: "service", name: s.name, provenance: s.provenance })), ...head.packages.map((p) => ({ kind: "package", name: p.name, provenance: p.provenance }))];
    const breakGlass = pins
        .filter((p) => names.has(p.name) && p.provenance?.breakGlass)
        .map((p) => `${p.kind} ${p.name} promoted through ${p.provenance!.breakGlass!.freeze}${p.provenance!.breakGlass!.until ? ` (until ${p.provenance!.breakGlass!.until})` : ""} by ${p.provenance!.by}: ${p.provenance!.reason}`);
    return { ...(freeze ? { frozen: describeFreeze(freeze) } : {}), breakGlass };
}
