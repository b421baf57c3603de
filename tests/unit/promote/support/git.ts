import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** Runs git in `dir` as a fixed author (dates can be pinned through GIT_*_DATE in env); throws on failure. */
export function gitIn(dir: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): string {
    const r = spawnSync("git", [...args], {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, GIT_AUTHOR_NAME: "Ada", GIT_AUTHOR_EMAIL: "ada@example.org", GIT_COMMITTER_NAME: "Ada", GIT_COMMITTER_EMAIL: "ada@example.org", ...env },
    });
    if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
}

/** A throwaway repository with a release history like Fragalysis' and METASPACE's. */
export function releaseRepository(dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinstack-notes-"))): string {
    const git = (...args: string[]) => gitIn(dir, args);
    const commit = (message: string) => {
        fs.appendFileSync(path.join(dir, "log.txt"), `${message}\n`);
        git("add", "log.txt");
        git("commit", "-q", "-m", message);
    };
    git("init", "-q", "-b", "main");
    commit("Initial import");
    git("tag", "2023.06.1");
    commit("Fix the login redirect (#921)");
    commit("Add dataset export\n\nCloses #922 and refs #7.");
    // A pull request merged with a merge commit: one change, titled by the pull request.
    git("checkout", "-q", "-b", "feature");
    commit("wip: first step");
    commit("wip: second step");
    git("checkout", "-q", "main");
    git("merge", "-q", "--no-ff", "feature", "-m", "Merge pull request #930 from org/feature\n\nFaster annotation search");
    commit("Tidy the README");
    commit("Update changelog for version 2023.06.2; closes #931");
    git("tag", "2023.06.2");
    return dir;
}

