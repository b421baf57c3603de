/**
 * `pinstack check` over three stacks of N services each (N = 100, 1,000; 1,000 is the
 * target case), every production pin digest-pinned with a sealed provenance so every rule
 * does its full work. Target: under 0.5 s above the `node -e ''` baseline at 1,000.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { packageSubject, sealProvenance, serviceSubject } from "../lib/provenance";
import { baseline, both, loadAverage, machine, ms, pinstackBin, ratio, scratchDir, timeNode, Timing, writeSection } from "./harness";

const SIZES = [100, 1000, 3000];

function digestFor(i: number): string {
    return `sha256:${i.toString(16).padStart(8, "0").repeat(8)}`;
}

export function stackFile(environment: string, services: number): string {
    const lines = ["config:", `  pinstack:environment: ${environment}`];
    // Production lists its registries: an empty list (any registry) is below its floor.
    if (environment === "production") lines.push("  pinstack:preset:", "    registries: [ ghcr.io/example ]");
    lines.push("  pinstack:services:");
    for (let i = 0; i < services; i++) {
        const name = `service-${i}`;
        const image = `ghcr.io/example/${name}`;
        const tag = environment === "playground" ? `2023.06.${(i % 9) + 1}` : environment === "staging" ? `2023.05.${(i % 9) + 1}` : `2023.04.${(i % 9) + 1}`;
        lines.push(`    ${name}:`, `      image: ${image}`, `      tag: ${tag}`, "      scheme: calver", "      port: 8080");
        if (environment === "production") {
            const digest = digestFor(i);
            const p = sealProvenance(serviceSubject({ name, image, tag, digest }), { from: "staging", at: "2026-11-20T10:00:00Z", by: "bench@example.org", reason: "bench" });
            lines.push(`      digest: ${digest}`, "      provenance:", `        from: ${p.from}`, `        at: "${p.at}"`, `        by: ${p.by}`, `        reason: ${p.reason}`, `        seal: ${p.seal}`);
        }
    }
    lines.push("  pinstack:packages:", "    ukrdc-services:", "      version: 10.8.4");
    if (environment === "production") {
        const p = sealProvenance(packageSubject({ name: "ukrdc-services", version: "10.8.4" }), { from: "staging", at: "2026-11-20T10:00:00Z", by: "bench@example.org", reason: "bench" });
        lines.push("      provenance:", `        from: ${p.from}`, `        at: "${p.at}"`, `        by: ${p.by}`, `        reason: ${p.reason}`, `        seal: ${p.seal}`);
    }
    return `${lines.join("\n")}\n`;
}


function main(): void {
    const load = loadAverage();
    const base = baseline();
    const startup = timeNode("pinstack --version", [pinstackBin, "--version"]);
    const results: { size: number; timing: Timing; lines: number }[] = [];
    let phases: Record<string, number> = {};
    for (const size of SIZES) {
        const dir = scratchDir("check");
        try {
            let lines = 0;
            for (const env of ["playground", "staging", "production"]) {
                const text = stackFile(env, size);
                lines += text.split("\n").length;
                fs.writeFileSync(path.join(dir, `Pulumi.${env}.yaml`), text);
            }
            const timing = timeNode(`check, 3 × ${size} services`, [pinstackBin, "-C", dir, "check", "--json"], { runs: size >= 3000 ? 3 : 5 });
            if (timing.exitCode !== 0) throw new Error(`the generated stacks should pass check (exit ${timing.exitCode})`);
            if (size === 1000) phases = JSON.parse(execFileSync(process.execPath, [path.join(__dirname, "check-phases.js"), dir], { encoding: "utf8" }));
            results.push({ size, timing, lines });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }
    const target = results.find((r) => r.size === 1000);
    const cpuOver = target ? target.timing.cpuMs - base.cpuMs : NaN;
    const wallOver = target ? target.timing.medianMs - base.medianMs : NaN;
    const row = (label: string, t: Timing) =>
        `| ${label} | ${both(t)} | ${ms(t.medianMs - base.medianMs)} / ${ms(t.cpuMs - base.cpuMs)} | ${ratio(t.medianMs, base.medianMs)} / ${ratio(t.cpuMs, base.cpuMs)} |`;
    const perService = results.map((r) => `${r.size.toLocaleString("en")}: ${((r.timing.cpuMs - startup.cpuMs) / (3 * r.size)).toFixed(3)} ms`).join(", ");
    const report = `## pinstack check

${machine()}; load average ${load} when the run started (the machine is shared). Median of 5 runs
(3 at 3 × 3,000) after one warm-up; each cell is wall / CPU (user + system) time. Every production pin
is digest-pinned with a sealed provenance, so every rule does its full work.

| case | median wall / CPU | above baseline (wall / CPU) | ratio to baseline (wall / CPU) |
|---|---|---|---|
| baseline: \`node -e ''\` | ${both(base)} | — | 1.00× / 1.00× |
${row("`pinstack --version` (start-up only)", startup)}
${results.map((r) => row(`3 × ${r.size.toLocaleString("en")} services (${r.lines.toLocaleString("en")} YAML lines)`, r.timing)).join("\n")}

Target: \`check\` over 3 × 1,000 services under 0.5 s above the baseline — measured ${ms(wallOver)} wall, ${ms(cpuOver)} CPU:
**${wallOver < 500 ? "met" : "NOT met"}** in wall time (what a user waits), **${cpuOver < 500 ? "met" : "NOT met"}** in CPU time (all of node's
threads: the collector and the optimizing compiler run beside the program). CPU per service above start-up: ${perService}.

Where the CPU of one cold run over 3 × 1,000 services goes (bench/check-phases.js, one process, all threads):

| phase | CPU |
|---|---|
${Object.entries(phases).map(([name, value]) => `| ${name} | ${ms(value)} |`).join("\n")}

Stack files are read with js-yaml's event parser, which gives the values and keeps source offsets;
a key's line and column are worked out only when a message needs them (one more parse of that
file), so a clean run computes none. The \`yaml\` Document API, which \`pinstack promote\` edits
through to keep comments and layout, costs the amount in the last row on the same files; \`check\`
used it until this run. Only the named command's modules are loaded at start-up.`;
    writeSection("check", report);
    process.stdout.write(`${report}\n`);
}

if (require.main === module) main();
