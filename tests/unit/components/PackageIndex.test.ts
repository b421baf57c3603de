import * as assert from "assert";
import { channelUpstreams, PackageIndex } from "../../../components/PackageIndex";
import { PackageRequirements } from "../../../components/PackageRequirements";
import { requirementLine, requirementsFiles } from "../../../lib/contract";
import { packagePin } from "./fixtures";
import { codeartifactEndpoint, mockEngine, promiseOf } from "./harness";

const REPOSITORY = "aws:codeartifact/repository:Repository";

describe("PackageIndex", () => {
    async function index(publicUpstream?: boolean) {
        const engine = await mockEngine();
        const component = new PackageIndex("packages", {
            domainName: "pinstack-production",
            packages: [packagePin(), packagePin({ name: "ukrdc-tools", version: "2.1.0rc1", channel: "staging" })],
            publicUpstream,
        });
        await engine.settle();
        return { engine, component };
    }

    it("has one domain and a repository per channel", async () => {
        const { engine } = await index(false);
        assert.deepStrictEqual(engine.ofType("aws:codeartifact/domain:Domain").map((d) => d.inputs.domain), ["pinstack-production"]);
        const repos = engine.ofType(REPOSITORY);
        assert.deepStrictEqual(repos.map((r) => r.inputs.repository).sort(), ["dev", "release", "staging"]);
        assert.ok(repos.every((r) => r.inputs.domain === "pinstack-production"));
    });

    it("lets a channel fall back only to more trusted channels: dev -> staging -> release", async () => {
        const { engine } = await index(false);
        const upstreams = Object.fromEntries(engine.ofType(REPOSITORY).map((r) => [
            r.inputs.repository,
            (r.inputs.upstreams ?? []).map((u: any) => u.repositoryName),
        ]));
        assert.deepStrictEqual(upstreams, { dev: ["staging"], staging: ["release"], release: [] });
        const urn = (name: string) => engine.ofType(REPOSITORY).find((r) => r.inputs.repository === name)!.urn;
        assert.ok(engine.ofType(REPOSITORY).find((r) => r.inputs.repository === "dev")!.dependencies.includes(urn("staging")));
        assert.ok(engine.ofType(REPOSITORY).find((r) => r.inputs.repository === "staging")!.dependencies.includes(urn("release")));
    });

    it("reaches public PyPI only through release, by default", async () => {
        const { engine } = await index();
        const store = engine.ofType(REPOSITORY).find((r) => r.inputs.repository === "pypi-store")!;
        assert.deepStrictEqual(store.inputs.externalConnections, { externalConnectionName: "public:pypi" });
        const release = engine.ofType(REPOSITORY).find((r) => r.inputs.repository === "release")!;
        assert.deepStrictEqual(release.inputs.upstreams, [{ repositoryName: "pypi-store" }]);
        assert.deepStrictEqual(channelUpstreams(true).release, ["pypi-store"]);
    });

    it("reads each pin from its own channel's index", async () => {
        const { component } = await index();
        assert.deepStrictEqual(await promiseOf(component.packages), [
            {
                name: "ukrdc-services",
                version: "10.8.5",
                channel: "release",
                requirement: "ukrdc-services==10.8.5",
                indexUrl: `${codeartifactEndpoint("pinstack-production", "release")}simple/`,
            },
            {
                name: "ukrdc-tools",
                version: "2.1.0rc1",
                channel: "staging",
                requirement: "ukrdc-tools==2.1.0rc1",
                indexUrl: `${codeartifactEndpoint("pinstack-production", "staging")}simple/`,
            },
        ]);
        assert.strictEqual(await promiseOf(component.indexUrls.dev), `${codeartifactEndpoint("pinstack-production", "dev")}simple/`);
    });
});

describe("package requirements", () => {
    it("pins exactly, keeping a specifier written in config as it is", () => {
        assert.strictEqual(requirementLine("ukrdc-services", "10.8.5rc1"), "ukrdc-services==10.8.5rc1");
        assert.strictEqual(requirementLine("ukrdc-services", ">=10.8"), "ukrdc-services>=10.8");
    });

    it("writes one requirements file per channel, with its index when known", () => {
        const files = requirementsFiles(
            [packagePin({ name: "zeta" }), packagePin({ name: "alpha" }), packagePin({ name: "beta", version: "1.0rc1", channel: "staging" })],
            { release: "https://example/pypi/release/simple/" },
        );
        assert.deepStrictEqual(files, {
            "requirements-release.txt": "# channel: release\n--index-url https://example/pypi/release/simple/\nalpha==10.8.5\nzeta==10.8.5\n",
            "requirements-staging.txt": "# channel: staging\nbeta==1.0rc1\n",
        });
        assert.deepStrictEqual(requirementsFiles([]), {});
    });

    it("puts the files in a ConfigMap in the stack's namespace", async () => {
        const engine = await mockEngine();
        new PackageRequirements("packages", {
            namespace: "staging",
            packages: [packagePin({ version: "10.8.5rc1", channel: "staging" })],
            partOf: "pinstack",
        });
        await engine.settle();
        const [configMap] = engine.ofType("kubernetes:core/v1:ConfigMap");
        assert.strictEqual(configMap.inputs.metadata.name, "pinstack-packages");
        assert.strictEqual(configMap.inputs.metadata.namespace, "staging");
        assert.deepStrictEqual(configMap.inputs.data, { "requirements-staging.txt": "# channel: staging\nukrdc-services==10.8.5rc1\n" });
    });
});
