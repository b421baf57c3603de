import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PinstackError } from "../../lib/errors";
import { dockerCredentials, registryResolver, resolveTag } from "../../lib/registry";
import { pushImage, RunningRegistry, startRegistry, TEST_PASSWORD, TEST_USER } from "./support/registry";

const noCredentials = () => undefined;

function refusedWith(pattern: RegExp) {
    return (err: unknown) => err instanceof PinstackError && err.exitCode === 1 && pattern.test(err.message);
}

describe("registry client against a real registry (docker-registry on 127.0.0.1)", function () {
    this.timeout(120_000);

    describe("without auth", () => {
        let registry: RunningRegistry;
        before(async () => {
            registry = await startRegistry();
        });
        after(async () => registry?.stop());

        it("resolves a tag of an OCI image manifest to the digest the registry stored", async () => {
            const pushed = await pushImage(registry, "pinstack-example/backend", "2023.05.1", "backend 2023.05.1");
            const resolved = await resolveTag(`${registry.host}/pinstack-example/backend`, "2023.05.1", { credentials: noCredentials });
            assert.equal(resolved.digest, pushed);
            assert.equal(resolved.mediaType, "application/vnd.oci.image.manifest.v1+json");
            assert.equal(resolved.url, `http://${registry.host}/v2/pinstack-example/backend/manifests/2023.05.1`);
        });

        it("resolves a Docker v2 manifest and an OCI index (multi-arch: the index digest, as docker pull does)", async () => {
            const docker = await pushImage(registry, "pinstack-example/frontend", "2023.05.4", "frontend", "docker");
            const byDocker = await resolveTag(`${registry.host}/pinstack-example/frontend`, "2023.05.4", { credentials: noCredentials });
            assert.deepEqual([byDocker.digest, byDocker.mediaType], [docker, "application/vnd.docker.distribution.manifest.v2+json"]);
            const index = await pushImage(registry, "pinstack-example/worker", "1.4.2", "worker", "oci-index");
            const byIndex = await resolveTag(`${registry.host}/pinstack-example/worker`, "1.4.2", { credentials: noCredentials });
            assert.deepEqual([byIndex.digest, byIndex.mediaType], [index, "application/vnd.oci.image.index.v1+json"]);
        });

        it("sees a re-pushed tag: the same tag now names another digest", async () => {
            const image = `${registry.host}/pinstack-example/moving`;
            const first = await pushImage(registry, "pinstack-example/moving", "2023.06.1", "first build");
            assert.equal((await resolveTag(image, "2023.06.1", { credentials: noCredentials })).digest, first);
            const second = await pushImage(registry, "pinstack-example/moving", "2023.06.1", "rebuilt with other content");
            assert.notEqual(second, first);
            assert.equal((await registryResolver({ credentials: noCredentials })(image, "2023.06.1")).digest, second);
        });

        it("refuses (exit 1) a tag the registry does not have, and an unreachable registry", async () => {
            await assert.rejects(resolveTag(`${registry.host}/pinstack-example/backend`, "9999.01.1", { credentials: noCredentials }), refusedWith(/the registry has no .*:9999\.01\.1/));
            await assert.rejects(resolveTag("127.0.0.1:1/pinstack-example/backend", "1.0.0", { credentials: noCredentials, timeoutMs: 5000 }), refusedWith(/cannot reach the registry/));
        });
    });

    describe("with htpasswd basic auth", () => {
        let registry: RunningRegistry;
        let digest: string;
        let image: string;
        before(async () => {
            registry = await startRegistry({ basicAuth: true });
            digest = await pushImage(registry, "private/app", "1.0.0", "private app");
            image = `${registry.host}/private/app`;
        });
        after(async () => registry?.stop());

        it("refuses without credentials, naming docker login", async () => {
            await assert.rejects(resolveTag(image, "1.0.0", { credentials: noCredentials }), refusedWith(/needs credentials/));
        });

        it("uses PINSTACK_REGISTRY_USERNAME/PASSWORD, scoped to PINSTACK_REGISTRY", async () => {
            const env = { PINSTACK_REGISTRY_USERNAME: TEST_USER, PINSTACK_REGISTRY_PASSWORD: TEST_PASSWORD, PINSTACK_REGISTRY: registry.host, DOCKER_CONFIG: "/nonexistent" };
            assert.equal((await resolveTag(image, "1.0.0", { credentials: dockerCredentials(env) })).digest, digest);
            const elsewhere = { ...env, PINSTACK_REGISTRY: "ghcr.io" };
            await assert.rejects(resolveTag(image, "1.0.0", { credentials: dockerCredentials(elsewhere) }), refusedWith(/needs credentials/));
        });

        it("uses ~/.docker/config.json auths (via DOCKER_CONFIG), and refuses a wrong password without printing it", async () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pinstack-docker-config-"));
            try {
                const write = (password: string) =>
                    fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({ auths: { [`http://${registry.host}`]: { auth: Buffer.from(`${TEST_USER}:${password}`).toString("base64") } } }));
                write(TEST_PASSWORD);
                assert.equal((await resolveTag(image, "1.0.0", { credentials: dockerCredentials({ DOCKER_CONFIG: dir }) })).digest, digest);
                write("wrong-password-xyz");
                await assert.rejects(resolveTag(image, "1.0.0", { credentials: dockerCredentials({ DOCKER_CONFIG: dir }) }), (err: unknown) => {
                    assert.ok(err instanceof PinstackError && err.exitCode === 1, String(err));
                    assert.match(err.message, /refused access/);
                    const printed = `${err.message} ${err.why ?? ""} ${err.fix ?? ""}`;
                    assert.ok(!printed.includes("wrong-password-xyz") && !printed.includes(Buffer.from(`${TEST_USER}:wrong-password-xyz`).toString("base64")), "credentials printed");
                    return true;
                });
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    });
});
