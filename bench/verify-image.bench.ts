/**
 * `pinstack verify-image` over 100, 1,000 and 10,000 references in one call (one JSON
 * line each) against production with --service, so every image rule runs. Checks that
 * the time above start-up grows linearly with the number of references.
 */
import { baseline, machine, ms, pinstackBin, ratio, timeNode, Timing, writeSection } from "./harness";

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
    const base = baseline();
    const startup = timeNode("pinstack --version", [pinstackBin, "--version"]);
    const results: { size: number; timing: Timing }[] = [];
    for (const size of SIZES) {
        const timing = timeNode(`verify-image × ${size}`, [pinstackBin, "verify-image", ...references(size), "--stack", "production", "--service", "backend", "--json"], {
            runs: 5,
            okCodes: [2],
        });
        results.push({ size, timing });
    }
    const work = (r: { timing: Timing }) => r.timing.medianMs - startup.medianMs;
    const perRef = results.map((r) => work(r) / r.size);
    const small = results[0];
    const large = results[results.length - 1];
    // Linear: the per-reference cost at 10,000 is not above the cost at 1,000 by more than half.
    const mid = results[1];
    const linear = perRef[2] <= perRef[1] * 1.5;
    const rows = results.map((r, i) => `| ${r.size.toLocaleString("en")} references | ${ms(r.timing.medianMs)} | ${ms(r.timing.medianMs - base.medianMs)} | ${ratio(r.timing.medianMs, base.medianMs)} | ${(perRef[i] * 1000).toFixed(1)} µs |`);
    const report = `## pinstack verify-image

${machine()}. One process per call, all references on the command line, \`--stack production --service backend --json\`;
a mix of allowed, refused and invalid references. Median of 5 runs after one warm-up run.

| case | median | above baseline | ratio to baseline | per reference above start-up |
|---|---|---|---|---|
| baseline: \`node -e ''\` | ${ms(base.medianMs)} | — | 1.00× | |
| \`pinstack --version\` (start-up only) | ${ms(startup.medianMs)} | ${ms(startup.medianMs - base.medianMs)} | ${ratio(startup.medianMs, base.medianMs)} | |
${rows.join("\n")}

Growth: ${small.size.toLocaleString("en")} → ${large.size.toLocaleString("en")} references (×${large.size / small.size}) costs ×${(work(large) / Math.max(work(small), 1)).toFixed(1)} time above start-up;
per-reference cost at 10,000 vs 1,000: ${(perRef[2] * 1000).toFixed(1)} µs vs ${(perRef[1] * 1000).toFixed(1)} µs — **${linear ? "linear" : "NOT linear"}** (at 100 the work is lost in start-up noise: ${ms(work(small))}; 1,000: ${ms(work(mid))}).`;
    writeSection("verify-image", report);
    process.stdout.write(`${report}\n`);
}

if (require.main === module) main();
