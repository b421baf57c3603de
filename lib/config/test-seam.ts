import * as fs from "fs";

/**
 * A place where a test may stop a write to kill the process there (tests/cli/kill.test.ts).
 * Only under NODE_ENV=test, and only at the step PINSTACK_TEST_PAUSE_AT names: the process
 * says so on stderr and then blocks until it is killed. Everywhere else this does nothing.
 */
export function stepReached(step: string, env: NodeJS.ProcessEnv = process.env): void {
    if (env.NODE_ENV !== "test" || env.PINSTACK_TEST_PAUSE_AT !== step) return;
    // Written synchronously: the test waits for this line before it sends SIGKILL.
    fs.writeSync(2, `pinstack: paused at ${step}\n`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}
