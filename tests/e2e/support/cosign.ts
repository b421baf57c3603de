/**
 * The real cosign for the signing tests: the binary scripts/setup --signing builds into
 * .pinstack/bin (or $PINSTACK_COSIGN). Keys are made with `cosign generate-key-pair`, images
 * signed with `cosign sign --key ... --tlog-upload=false` (no Rekor can be reached here), in
 * cosign's default classic format. Throws when cosign is missing, so the tests fail, not skip.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const repoRoot = path.resolve(__dirname, "../../..");

export function cosignBinary(): string {
    const binary = process.env.PINSTACK_COSIGN || path.join(repoRoot, ".pinstack", "bin", "cosign");
    if (!fs.existsSync(binary)) throw new Error(`cosign is missing (${binary}): run scripts/setup --signing`);
    return binary;
}

/** An empty password: the key is for the test only; cosign still encrypts it with scrypt. */
const ENV = { ...process.env, COSIGN_PASSWORD: "", COSIGN_YES: "true", COSIGN_EXPERIMENTAL: "0" };

export function cosign(args: readonly string[], cwd: string): string {
    const r = spawnSync(cosignBinary(), args, { cwd, env: ENV, encoding: "utf8", timeout: 120_000 });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`cosign ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
    return r.stdout;
}

export interface CosignKey {
    readonly dir: string;
    readonly privateKey: string;
    readonly publicKey: string;
    readonly publicPem: string;
}

/** `cosign generate-key-pair` in a temporary directory. */
export function generateKeyPair(): CosignKey {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinstack-cosign-"));
    cosign(["generate-key-pair"], dir);
    const publicKey = path.join(dir, "cosign.pub");
    return { dir, privateKey: path.join(dir, "cosign.key"), publicKey, publicPem: fs.readFileSync(publicKey, "utf8") };
}

/** `cosign sign` of exactly `image@digest` with `key`, to a plain-http local registry, no transparency log. */
export function signImage(key: CosignKey, image: string, digest: string): void {
    cosign(["sign", "--key", key.privateKey, "--tlog-upload=false", "--allow-http-registry", "--yes", `${image}@${digest}`], key.dir);
}
