import * as assert from "assert";
import { ImageRepository, lifecyclePolicyDocument, pinnedTagsByRepository } from "../../../components/ImageRepository";
import type { ServicePin } from "../../../lib/model";
import { mockEngine, promiseOf } from "./harness";

const REPOSITORY = "aws:ecr/repository:Repository";
const LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy";

describe("ImageRepository", () => {
    async function repository(immutableTags: boolean, extra: { keepTaggedImages?: number; expireUntaggedAfterDays?: number; pinnedTags?: string[] } = {}) {
        const engine = await mockEngine();
        const component = new ImageRepository("backend", { repositoryName: "pinstack-example/backend", immutableTags, ...extra });
        await engine.settle();
        return { engine, component };
    }

    it("makes tags immutable and scans on push where the preset requires it", async () => {
        const { engine, component } = await repository(true);
        const [repo] = engine.ofType(REPOSITORY);
        assert.strictEqual(repo.inputs.name, "pinstack-example/backend");
        assert.strictEqual(repo.inputs.imageTagMutability, "IMMUTABLE");
        assert.deepStrictEqual(repo.inputs.imageScanningConfiguration, { scanOnPush: true });
        assert.strictEqual(await promiseOf(component.repositoryUrl), "123456789012.dkr.ecr.eu-west-2.amazonaws.com/pinstack-example/backend");
    });

    it("leaves tags mutable otherwise, still scanning", async () => {
        const [repo] = (await repository(false)).engine.ofType(REPOSITORY);
        assert.strictEqual(repo.inputs.imageTagMutability, "MUTABLE");
        assert.deepStrictEqual(repo.inputs.imageScanningConfiguration, { scanOnPush: true });
    });

    it("attaches a lifecycle policy to the repository it created", async () => {
        const { engine } = await repository(true, { keepTaggedImages: 30, expireUntaggedAfterDays: 7 });
        const [policy] = engine.ofType(LIFECYCLE);
        assert.strictEqual(policy.inputs.repository, "pinstack-example/backend");
        assert.ok(policy.dependencies.includes(engine.ofType(REPOSITORY)[0].urn));
        assert.strictEqual(policy.inputs.policy, lifecyclePolicyDocument(30, 7));
    });

    it("expires untagged images first, then tagged images beyond the newest N", () => {
        const rules = JSON.parse(lifecyclePolicyDocument(100, 14)).rules;
        assert.deepStrictEqual(rules.map((r: any) => r.rulePriority), [1, 2]);
        assert.deepStrictEqual(rules[0].selection, { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 14 });
        assert.deepStrictEqual(rules[1].selection, { tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: 100 });
        assert.ok(rules.every((r: any) => r.action.type === "expire"));
    });

    it("defaults to keeping 100 tagged images and 14 days of untagged ones", async () => {
        const [policy] = (await repository(true)).engine.ofType(LIFECYCLE);
        assert.strictEqual(policy.inputs.policy, lifecyclePolicyDocument(100, 14));
    });

    it("gives each pinned tag a rule of its own, ahead of the rules that expire", () => {
        const rules = JSON.parse(lifecyclePolicyDocument(100, 14, ["2023.04.3", "2023.03.1", "2023.04.3"])).rules;
        assert.deepStrictEqual(rules.map((r: any) => r.rulePriority), [1, 2, 3, 4]);
        // ECR: an image a higher-priority rule selects cannot be expired by a lower one; one
        // image per exact tag never exceeds the count of one.
        assert.deepStrictEqual(rules.slice(0, 2).map((r: any) => r.selection), [
            { tagStatus: "tagged", tagPatternList: ["2023.03.1"], countType: "imageCountMoreThan", countNumber: 1 },
            { tagStatus: "tagged", tagPatternList: ["2023.04.3"], countType: "imageCountMoreThan", countNumber: 1 },
        ]);
        assert.strictEqual(rules[2].selection.tagStatus, "untagged");
        assert.deepStrictEqual(rules[3].selection.tagPatternList, ["*"]);
    });

    it("puts the pinned tags it is given into the repository's policy", async () => {
        const [policy] = (await repository(true, { pinnedTags: ["2023.04.2"] })).engine.ofType(LIFECYCLE);
        assert.strictEqual(policy.inputs.policy, lifecyclePolicyDocument(100, 14, ["2023.04.2"]));
    });

    it("collects each repository's pinned tags: tag, previous tag, sidecars and init containers, not digest-only pins", () => {
        const pin = (name: string, fields: Partial<ServicePin>) => ({ name, scheme: "calver", port: 80, strategy: "in-place", location: { file: "f", line: 1, column: 1 }, ...fields }) as ServicePin;
        const tags = pinnedTagsByRepository([
            pin("web", {
                image: "ghcr.io/example/web",
                tag: "2.0.0",
                previous: { tag: "1.9.0" },
                sidecars: [{ name: "proxy", image: "docker.io/envoyproxy/envoy", tag: "v1.30.1" }],
                initContainers: [{ name: "warm", image: "ghcr.io/example/web", tag: "2.0.0" }],
            }),
            pin("worker", { image: "ghcr.io/example/worker", digest: `sha256:${"a".repeat(64)}` }),
        ]);
        assert.deepStrictEqual(Object.fromEntries(tags), {
            "example/web": ["1.9.0", "2.0.0"],
            "envoyproxy/envoy": ["v1.30.1"],
        });
    });

    it("refuses a pinned tag no tag pattern can keep", () => {
        assert.throws(() => lifecyclePolicyDocument(10, 14, ["1.0.*"]), /pinned tag "1.0.\*" cannot be kept by an ECR tag pattern/);
        assert.throws(() => lifecyclePolicyDocument(10, 14, [""]), /pinned tag "" cannot be kept/);
    });

    it("refuses counts ECR would refuse", () => {
        assert.throws(() => lifecyclePolicyDocument(0, 14), /keepTaggedImages must be a positive integer, got 0/);
        assert.throws(() => lifecyclePolicyDocument(10, 1.5), /expireUntaggedAfterDays must be a positive integer, got 1.5/);
    });
});
