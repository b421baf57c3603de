/**
 * The local Kubernetes cluster for end-to-end tests: `scripts/cluster up` in a directory of
 * this test process's own (so a cluster someone started for the README's tour is left alone),
 * started once by the first test that asks and stopped, its data wiped, when the process
 * exits. A cluster that cannot start throws: the test fails, it is never skipped.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const repoRoot = path.resolve(__dirname, "../../..");
const script = path.join(repoRoot, "scripts", "cluster");
export const kubectlBin = path.join(repoRoot, ".pinstack", "bin", "kubectl");

export interface TestCluster {
    /** Absolute path of the admin kubeconfig: what a stack's `pinstack:kubeconfig` names. */
    readonly kubeconfig: string;
    readonly dir: string;
    /** Seconds `up` took, as the script measured it. */
    readonly startSeconds: number;
    /** kubectl against this cluster; throws on a non-zero exit unless allowFailure. */
    kubectl(args: string[], allowFailure?: boolean): { code: number; stdout: string; stderr: string };
    /** JSON of `kubectl get … -o json`. */
    get(args: string[]): any;
    /** `scripts/cluster fail-image` / `heal-image`. */
    failImage(ref: string): void;
    healImage(ref: string): void;
}

let running: TestCluster | undefined;

function runScript(args: string[], dir: string): { code: number; out: string } {
    const r = spawnSync("bash", [script, ...args], {
        env: { ...process.env, PINSTACK_CLUSTER_DIR: dir },
        encoding: "utf8",
        timeout: 300_000,
    });
    if (r.error) throw r.error;
    return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/** The cluster, started on first use. */
export function testCluster(): TestCluster {
    if (running) return running;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinstack-cluster-"));
    const up = runScript(["up"], dir);
    if (up.code !== 0) {
        runScript(["down", "--wipe"], dir);
        throw new Error(`scripts/cluster up failed (exit ${up.code}); the cluster tests need it:\n${up.out}`);
    }
    process.on("exit", () => {
        runScript(["down", "--wipe"], dir);
    });
    const kubeconfig = path.join(dir, "kubeconfig");
    const kubectl = (args: string[], allowFailure = false) => {
        const r = spawnSync(kubectlBin, ["--kubeconfig", kubeconfig, ...args], { encoding: "utf8", timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
        if (r.error) throw r.error;
        const out = { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
        if (out.code !== 0 && !allowFailure) throw new Error(`kubectl ${args.join(" ")} exited ${out.code}: ${r.stderr}`);
        return out;
    };
    const script = (args: string[]) => {
        const r = runScript(args, dir);
        if (r.code !== 0) throw new Error(`scripts/cluster ${args.join(" ")} exited ${r.code}: ${r.out}`);
    };
    running = {
        kubeconfig,
        dir,
        startSeconds: Number(/up in (\d+)s/.exec(up.out)?.[1] ?? NaN),
        kubectl,
        get: (args) => JSON.parse(kubectl(["get", ...args, "-o", "json"]).stdout),
        failImage: (ref) => script(["fail-image", ref]),
        healImage: (ref) => script(["heal-image", ref]),
    };
    return running;
}
