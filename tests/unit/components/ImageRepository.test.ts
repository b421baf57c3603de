import * as assert from "assert";
import { ImageRepository, lifecyclePolicyDocument } from "../../../components/ImageRepository";
import { mockEngine, promiseOf } from "./harness";

const REPOSITORY = "aws:ecr/repository:Repository";
const LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy";

describe("ImageRepository", () => {
    async function repository(immutableTags: boolean, extra: { keepTaggedImages?: number; expireUntaggedAfterDays?: number } = {}) {
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

    it("refuses counts ECR would refuse", () => {
        assert.throws(() => lifecyclePolicyDocument(0, 14), /keepTaggedImages must be a positive integer, got 0/);
        assert.throws(() => lifecyclePolicyDocument(10, 1.5), /expireUntaggedAfterDays must be a positive integer, got 1.5/);
    });
});
