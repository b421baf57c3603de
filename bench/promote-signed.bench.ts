/**
 * `pinstack promote staging production` of 50 services whose images are signed, with the
 * signature checks (production names a trusted key) and without them (the same files with no
 * `pinstack:signing`), measured in the same run against the same local docker-registry. Both
 * resolve each tag to its digest through the registry (production pins digests); the checks
 * add, per image, the `.sig` manifest, the payload blob and an ECDSA verification. The
 * signatures are cosign's classic format made with node's crypto (tests/support/signatures.ts;
 * tests/e2e/signing.test.ts checks that cosign's own verify the same way).
 */
import * as fs from "fs";
import * as path from "path";
import { pushImage, startRegistry } from "../tests/e2e/support/registry";
import { keyPair, pushSignature } from "../tests/support/signatures";
import { baseline, both, loadAverage, machine, mergeTimings, ratio, scratchDir, timeNode, Timing, writeSection } from "./harness";

const SERVICES = 50;
const ROUNDS = 5;

function stagingFile(host: string, digests: readonly string[]): string {
    const lines = ["config:", "  pinstack:environment: staging", "  pinstack:services:"];
    digests.forEach((digest, i) => lines.push(`    service-${i}:`, `      image: ${host}/bench/service-${i}`, "      tag: 1.0.0", `      digest: ${digest}`, "      scheme: semver", "      port: 8080"));
    return `${lines.join("\n")}\n`;
}

const productionFile = (signed: boolean) =>
    ["config:", "  pinstack:environment: production", "  pinstack:services: {}", ...(signed ? ["  pinstack:signing:", "    keys:", "      - id: ci", "        publicKey: ci.pub"] : [])].join("\n") + "\n";

async function main(): Promise<void> {
    const dir = scratchDir("promote-signed");
    const registry = await startRegistry();
    try {
        const key = keyPair();
        const digests: string[] = [];
        for (let i = 0; i < SERVICES; i++) {
            const digest = await pushImage(registry, `bench/service-${i}`, "1.0.0", `service ${i}`);
            await pushSignature(registry, `bench/service-${i}`, digest, [key.privateKey]);
            digests.push(digest);
        }
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: pinstack\nruntime: nodejs\n");
        fs.writeFileSync(path.join(dir, "Pulumi.staging.yaml"), stagingFile(registry.host, digests));
        fs.writeFileSync(path.join(dir, "ci.pub"), key.publicPem);
        const target = path.join(dir, "Pulumi.production.yaml");
        const pristine = { signed: path.join(dir, "signed.pristine.yaml"), plain: path.join(dir, "plain.pristine.yaml") };
        fs.writeFileSync(pristine.signed, productionFile(true));
        fs.writeFileSync(pristine.plain, productionFile(false));
        const args = (which: "signed" | "plain") => [path.join(__dirname, "promote-run.js"), pristine[which], target, "-C", dir, "promote", "staging", "production", "--reason", "bench", "--allow-undeployed", "--json"];
        // Checked before timing: with the checks every pin records its key; without, none does.
        for (const which of ["signed", "plain"] as const) {
            if (timeNode(which, args(which), { runs: 1 }).exitCode !== 0) throw new Error(`promote (${which}) failed`);
            const records = (fs.readFileSync(target, "utf8").match(/keyDigest: /g) ?? []).length;
            if (records !== (which === "signed" ? SERVICES : 0)) throw new Error(`promote (${which}) recorded ${records} signatures`);
            fs.rmSync(path.join(dir, "pinstack.ledger.json"), { force: true });
        }
        const load = loadAverage();
        const base = baseline();
        const runs: Record<"signed" | "plain", Timing[]> = { signed: [], plain: [] };
        for (let round = 0; round < ROUNDS; round++) {
            for (const which of ["plain", "signed"] as const) {
                runs[which].push(timeNode(which, args(which), { runs: 1 }));
            }
        }
        const plain = mergeTimings("plain", runs.plain);
        const signed = mergeTimings("signed", runs.signed);
        const report = `## pinstack promote with signature checks

${machine()}; load average ${load} when the run started (the machine is shared). \`pinstack promote staging production
--allow-undeployed --json\` of ${SERVICES} services, one image each, against a local docker-registry on 127.0.0.1: the
same files with \`pinstack:signing\` (each image's cosign signature fetched and verified) and without it. ${ROUNDS}
alternating runs each, every one after a warm-up; wall / CPU medians. Baseline \`node -e ''\`: ${both(base)}.

| case | wall / CPU | ratio to without (wall / CPU) | per image added (wall / CPU) |
|---|---|---|---|
| without signature checks (${SERVICES} tags resolved) | ${both(plain)} | 1.00× / 1.00× | — |
| with signature checks (${SERVICES} tags resolved, ${SERVICES} signatures verified) | ${both(signed)} | ${ratio(signed.medianMs, plain.medianMs)} / ${ratio(signed.cpuMs, plain.cpuMs)} | ${((signed.medianMs - plain.medianMs) / SERVICES).toFixed(1)} ms / ${((signed.cpuMs - plain.cpuMs) / SERVICES).toFixed(1)} ms |

Per image the checks add two registry requests (the \`sha256-<hex>.sig\` manifest, then the payload blob,
each hashed against its digest) and one ECDSA P-256 verification; up to 8 images are checked at a time,
while the tags are resolved one after another. A registry on loopback makes the requests nearly free, so
against a remote registry the difference is mostly round trips: about 2 per image, 8 in flight.`;
        writeSection("promote-signed", report);
        process.stdout.write(`${report}\n`);
    } finally {
        await registry.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

if (require.main === module) void main();
