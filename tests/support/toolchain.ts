/**
 * Where the Pulumi CLI is for tests and benchmarks: the one scripts/setup built into the
 * project's own Pulumi home (PULUMI_HOME, <repo>/.pinstack/pulumi unless set), or, with
 * PINSTACK_TOOLCHAIN=skip, the `pulumi` of an official install on PATH.
 */
import * as path from "path";

const repoRoot = path.resolve(__dirname, "../..");

export function pulumiBinary(env: NodeJS.ProcessEnv = process.env): string {
    if (env.PINSTACK_TOOLCHAIN === "skip") return "pulumi";
    return path.join(env.PULUMI_HOME ?? path.join(repoRoot, ".pinstack", "pulumi"), "bin", "pulumi");
}
