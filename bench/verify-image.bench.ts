/**
 * `pinstack verify-image` over 100, 1,000 and 10,000 references in one call (one JSON
 * line each) against production with --service, so every image rule runs. Checks that
 * the time above start-up grows linearly with the number of references.
 */
import { baseline, both, loadAverage, machine, ms, pinstackBin, ratio, timeNode, Timing, writeSection } from "./harness";

const SIZES = [100, 1000, 10000];

/** A mix like real input: allowed, refused (latest, prerelease, no digest) and invalid references. */
export function references(n: number): string[] {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
        const digest = `sha256:${i.toString(16).padStart(8, "0").repeat(8)}`;
        switch (i % 5) {
            case 0:
                out.push(`ghcr.io/pinstack-example/backend:2023.${String((i % 12) + 1).padStart(2, "0")}.${(i % 30) + 1}@${digest}`);
                break;
            case 1:
                out.push(`ghcr.io/pinstack-example/backend:latest`);
                break;
            case 2:
                out.push(`registry.example.com:5000/team/backend-${i}:2023.05.1`);
                break;
            case 3:
                out.push(`[2001:db8::1]:5000/backend:2023.6.${i}@${digest}`);
                break;
            default:
                out.push(`ghcr.io/pinstack-example/Backend:2023.05.${i}`);
        }
    }
    return out;
}

function main(): void {
    const load = loadAverage();
    const base = baseline();
    // Start-up is the same command with one reference: `--version` loads every command's
    // module (for the help list), verify-image only its own.
    const startup = timeNode("verify-image × 1", [pinstackBin, "verify-image", ...references(1), "--stack", "production", "--service", "backend", "--json"], {
        runs: 5,
        okCodes: [0, 1, 2],
    });
    const results: { size: number; timing: Timing }[] = [];
    for (const size of SIZES) {
        const timing = timeNode(`verify-image × ${size}`, [pinstackBin, "verify-image", ...references(size), "--stack", "production", "--service", "backend", "--json"], {
            runs: 5,
            okCodes: [2],
        });
        results.push({ size, timing });
    }
    const work = (t: Timing) => Math.max(t.cpuMs - startup.cpuMs, 0);
    const perRef = results.map((r) => work(r.timing) / r.size);
    // Linear: the CPU per reference at 10,000 is not more than 1.5 times that at 1,000
    // (at 100 the work is within the noise of start-up).
    const linear = perRef[2] <= perRef[1] * 1.5;
    const row = (label: string, t: Timing, perReference = "") =>
        `| ${label} | ${both(t)} | ${ms(t.medianMs - base.medianMs)} / ${ms(t.cpuMs - base.cpuMs)} | ${ratio(t.medianMs, base.medianMs)} / ${ratio(t.cpuMs, base.cpuMs)} | ${perReference} |`;
    const report = `## pinstack verify-image

${machine()}; load average ${load} when the run started. One process per call, all references on the
command line, \`--stack production --service backend --json\`; a mix of allowed, refused and invalid
references. Median of 5 runs after one warm-up; each cell is wall / CPU (user + system) time.

| case | median wall / CPU | above baseline (wall / CPU) | ratio to baseline (wall / CPU) | CPU per reference above the 1-reference run |
|---|---|---|---|---|
| baseline: \`node -e ''\` | ${both(base)} | — | 1.00× / 1.00× | |
${row("1 reference (start-up)", startup)}
${results.map((r, i) => row(`${r.size.toLocaleString("en")} references`, r.timing, `${(perRef[i] * 1000).toFixed(1)} µs`)).join("\n")}

Growth: CPU above start-up ${results.map((r) => `${ms(work(r.timing))} at ${r.size.toLocaleString("en")}`).join(", ")};
per reference ${(perRef[1] * 1000).toFixed(1)} µs at 1,000 and ${(perRef[2] * 1000).toFixed(1)} µs at 10,000 — **${linear ? "linear" : "NOT linear"}**.`;
    writeSection("verify-image", report);
    process.stdout.write(`${report}\n`);
}

if (require.main === module) main();
