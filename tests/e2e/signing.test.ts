/**
 * Only signed images reach production, with the real parts: a local docker-registry, images
 * signed by the real cosign (scripts/setup --signing), `pinstack promote`, `check` and
 * `verify-image --signatures` as processes, and a real `pulumi preview --policy-pack` of the
 * promoted production stack (rendered to a directory, no cluster).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { keyDigestOf } from "../../lib/signing";
import { createPublicKey } from "crypto";
import { PulumiProject } from "./support/pulumi-project";
import { pushImage, RunningRegistry, startRegistry } from "./support/registry";
import { CosignKey, generateKeyPair, signImage } from "./support/cosign";

const packDir = path.resolve(__dirname, "../../policies");

describe("signed images with real cosign signatures in a real registry", function () {
    this.timeout(900_000);
    let registry: RunningRegistry;
    let ci: CosignKey;
    let stranger: CosignKey;
    let project: PulumiProject;
    const digests: Record<string, string> = {};
    let host: string;

    const image = (name: string) => `${host}/example/${name}`;

    before(async () => {
        registry = await startRegistry();
        host = registry.host;
        ci = generateKeyPair();
        stranger = generateKeyPair();
        for (const tag of ["1.0.0", "1.0.1", "1.0.2", "1.0.3"]) digests[`backend:${tag}`] = await pushImage(registry, "example/backend", tag, `backend ${tag}`);
        digests["proxy:2.0.0"] = await pushImage(registry, "example/proxy", "2.0.0", "proxy 2.0.0");
        signImage(ci, image("backend"), digests["backend:1.0.0"]); // signed
        signImage(ci, image("proxy"), digests["proxy:2.0.0"]); // the sidecar, signed
        signImage(stranger, image("backend"), digests["backend:1.0.2"]); // by an unknown key
        // 1.0.1 stays unsigned; 1.0.3 gets 1.0.0's real signature copied onto its .sig tag.
        const sigTag = (d: string) => d.replace(":", "-") + ".sig";
        const type = "application/vnd.oci.image.manifest.v1+json";
        const sig = await fetch(`http://${host}/v2/example/backend/manifests/${sigTag(digests["backend:1.0.0"])}`, { headers: { Accept: type } });
        assert.strictEqual(sig.status, 200, "cosign wrote a classic .sig manifest");
        const body = Buffer.from(await sig.arrayBuffer());
        assert.match(body.toString(), /application\/vnd\.dev\.cosign\.simplesigning\.v1\+json/);
        const put = await fetch(`http://${host}/v2/example/backend/manifests/${sigTag(digests["backend:1.0.3"])}`, { method: "PUT", headers: { "Content-Type": type }, body });
        assert.strictEqual(put.status, 201);
    });
    after(async () => {
        await registry?.stop();
        for (const key of [ci, stranger]) if (key) fs.rmSync(key.dir, { recursive: true, force: true });
        project?.remove();
    });

    const staging = (tag: string) => `config:
  pinstack:environment: staging
  pinstack:namespace: staging
  pinstack:cloud: false
  pinstack:renderDir: out/staging
  pinstack:services:
    backend:
      image: ${image("backend")}
      tag: ${tag}
      digest: ${digests[`backend:${tag}`]}
      scheme: semver
      port: 8000
      sidecars:
        - name: proxy
          image: ${image("proxy")}
          tag: 2.0.0
          digest: ${digests["proxy:2.0.0"]}
`;
    const production = (keyExtra = "") => `config:
  pinstack:environment: production
  pinstack:namespace: production
  pinstack:cloud: false
  pinstack:renderDir: out/production
  pinstack:preset:
    resolveDigests: false
    registries: [ "${host}/example" ]
  pinstack:services: {}
  pinstack:signing:
    keys:
      - id: ci-2026
        publicKey: keys/ci.pub
${keyExtra}`;

    const promote = (tag: string) => {
        project.write("Pulumi.staging.yaml", staging(tag));
        return project.pinstack(["promote", "staging", "production", "--service", "backend", "--allow-undeployed", "--reason", `release ${tag}`]);
    };

    it("refuses, each with its own message and before any file changes: unsigned, unknown key, another digest's signature, a key past its validity", () => {
        project = new PulumiProject({ "Pulumi.staging.yaml": staging("1.0.0"), "Pulumi.production.yaml": production() });
        fs.mkdirSync(project.file("keys"));
        project.write("keys/ci.pub", ci.publicPem);
        const before = project.read("Pulumi.production.yaml");
        const cases: [string, RegExp][] = [
            ["1.0.1", new RegExp(`service backend: ${esc(image("backend"))}@${digests["backend:1.0.1"]} has no signature`)],
            ["1.0.2", new RegExp(`${esc(image("backend"))}@${digests["backend:1.0.2"]} is signed, but by no key Pulumi\\.production\\.yaml: pinstack:signing trusts`)],
            ["1.0.3", new RegExp(`carries a signature by key ci-2026 made for another digest, ${digests["backend:1.0.0"]}`)],
        ];
        for (const [tag, message] of cases) {
            const r = promote(tag);
            assert.strictEqual(r.code, 1, `${tag}: ${r.stdout}${r.stderr}`);
            assert.match(r.stderr, message, tag);
            assert.strictEqual(project.read("Pulumi.production.yaml"), before, `${tag}: nothing written`);
        }
        project.write("Pulumi.production.yaml", production(`        notAfter: "2026-01-01T00:00:00Z"\n`));
        const expired = promote("1.0.0");
        assert.strictEqual(expired.code, 1, expired.stderr);
        assert.match(expired.stderr, /is signed by key ci-2026, but key ci-2026 expired at 2026-01-01T00:00:00Z/);
        project.write("Pulumi.production.yaml", before);
    });

    it("promotes the signed image and its signed sidecar, records the key, and check and verify-image agree", () => {
        const r = promote("1.0.0");
        assert.strictEqual(r.code, 0, r.stderr);
        assert.match(r.stdout, /signed by ci-2026 \(2 images\)/);
        const keyDigest = keyDigestOf(createPublicKey(ci.publicPem));
        const text = project.read("Pulumi.production.yaml");
        assert.ok(text.includes(`keyDigest: ${keyDigest}`), text);
        const check = project.pinstack(["check", "--stack", "production"]);
        assert.strictEqual(check.code, 0, check.stdout + check.stderr);
        const verify = project.pinstack(["verify-image", `${image("backend")}:1.0.0@${digests["backend:1.0.0"]}`, `${image("backend")}:1.0.1@${digests["backend:1.0.1"]}`, "--stack", "production", "--signatures"]);
        assert.strictEqual(verify.code, 1, verify.stdout + verify.stderr);
        assert.match(verify.stdout, new RegExp(`allowed  ${esc(image("backend"))}:1\\.0\\.0@\\S+\\n  signed by key ci-2026 for ${digests["backend:1.0.0"]}\\n`));
        assert.match(verify.stdout, new RegExp(`refused  ${esc(image("backend"))}:1\\.0\\.1@\\S+\\n  error \\[signed-images\\] .* has no signature`));
        project.commit("promote backend 1.0.0");
    });

    it("pulumi preview --policy-pack: passes the promoted pin with CI's trusted key; refuses it once the key is no longer trusted", () => {
        project.initStacks(["production"]);
        const keyDigest = keyDigestOf(createPublicKey(ci.publicPem));
        const config = JSON.parse(fs.readFileSync(path.join(packDir, "config.production.json"), "utf8"));
        config["registry-allowed"].registries = [`${host}/example`];
        const packConfig = (trustedKeys: unknown) => {
            const file = project.file(`pack-${Date.now()}.json`);
            fs.writeFileSync(file, JSON.stringify({ ...config, "signed-images": { ...config["signed-images"], trustedKeys } }));
            return file;
        };
        const preview = (file: string) => project.pulumi(["preview", "--stack", "production", "--policy-pack", packDir, "--policy-pack-config", file], true);
        const passing = preview(packConfig([{ id: "ci-2026", keyDigest }]));
        assert.strictEqual(passing.code, 0, passing.stdout + passing.stderr);
        assert.doesNotMatch(passing.stdout, /signed-images/);
        const rotated = preview(packConfig([{ id: "ci-2027", keyDigest: keyDigestOf(createPublicKey(stranger.publicPem)) }]));
        assert.notStrictEqual(rotated.code, 0, rotated.stdout);
        assert.match(rotated.stdout + rotated.stderr, /signed-images/);
        assert.match(rotated.stdout + rotated.stderr, /was verified by key ci-2026, which the policy pack's signed-images\.trustedKeys does not trust/);
    });
});

function esc(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
