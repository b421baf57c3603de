/**
 * `pinstack check` over three stacks of N services each (N = 100, 1,000; 1,000 is the
 * target case), every production pin digest-pinned with a sealed provenance so every rule
 * does its full work. Target: under 0.5 s above the `node -e ''` baseline at 1,000.
 */
import * as fs from "fs";
import * as path from "path";
import { packageSubject, sealProvenance, serviceSubject } from "../lib/provenance";
import { baseline, machine, ms, pinstackBin, ratio, scratchDir, timeNode, Timing, writeSection } from "./harness";

const SIZES = [100, 1000, 3000];

function digestFor(i: number): string {
    return `sha256:${i.toString(16).padStart(8, "0").repeat(8)}`;
}

export function stackFile(environment: string, services: number): string {
    const lines = ["config:", `  pinstack:environment: ${environment}`, "  pinstack:services:"];
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
    const base = baseline();
    const startup = timeNode("pinstack --version", [pinstackBin, "--version"]);
    const results: { size: number; timing: Timing; lines: number }[] = [];
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
            results.push({ size, timing, lines });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }
    const target = results.find((r) => r.size === 1000);
    const overhead = target ? target.timing.medianMs - base.medianMs : NaN;
    const rows = results.map((r) => `| 3 × ${r.size.toLocaleString("en")} services (${r.lines.toLocaleString("en")} YAML lines) | ${ms(r.timing.medianMs)} | ${ms(r.timing.medianMs - base.medianMs)} | ${ratio(r.timing.medianMs, base.medianMs)} |`);
    const perService = results.map((r) => `${r.size}: ${((r.timing.medianMs - startup.medianMs) / (3 * r.size)).toFixed(3)} ms`).join(", ");
    const report = `## pinstack check

${machine()}. Median of 5 runs (3 at 3 × 3,000), after one warm-up run.

| case | median | above baseline | ratio to baseline |
|---|---|---|---|
| baseline: \`node -e ''\` | ${ms(base.medianMs)} | — | 1.00× |
| \`pinstack --version\` (start-up only) | ${ms(startup.medianMs)} | ${ms(startup.medianMs - base.medianMs)} | ${ratio(startup.medianMs, base.medianMs)} |
${rows.join("\n")}

Target: \`check\` over 3 × 1,000 services under 0.5 s above the baseline — measured ${ms(overhead)}: **${overhead < 500 ? "met" : "NOT met"}**.
Work per service above start-up (ms): ${perService}.`;
    writeSection("check", report);
    process.stdout.write(`${report}\n`);
}

if (require.main === module) main();
