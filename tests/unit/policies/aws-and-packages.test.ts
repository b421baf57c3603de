/** ECR repositories (immutable-repositories) and package pins in requirement ConfigMaps (exact-package-pins, no-prereleases). */
import * as assert from "assert";
import { requirementLine, requirementsFiles } from "../../../lib/contract";
import { exactPackagePins } from "../../../policies/exact-package-pins";
import { immutableRepositories } from "../../../policies/immutable-repositories";
import { noPrereleases } from "../../../policies/no-prereleases";
import { parseRequirements } from "../../../lib/contract";
import { configMap, ecrRepository } from "./fixtures";
import { assertHasResourceViolation, assertNoResourceViolations, configFromFile, resourceArgs, runResourcePolicy, StackResourceInput, unknownObjectValue, unknownStringValue } from "./helpers";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { PackagePin } from "../../../lib/model";

const at = { file: "", line: 0, column: 0, key: "" };
const args = (policy: ResourceValidationPolicy, resource: StackResourceInput, stack = "production") => resourceArgs({ ...resource, config: configFromFile(stack, policy.name) });
/** The ConfigMap PackageRequirements renders for these pins (lib/contract/requirements.ts). */
const requirements = (...pins: [string, string][]) =>
    configMap("pinstack-packages", requirementsFiles(pins.map(([name, version]): PackagePin => ({ name, version, channel: "release", location: at })), { release: "https://example.d.codeartifact.eu-west-1.amazonaws.com/pypi/release/simple/" }));

describe("policies: AWS and package pins", () => {
    describe("immutable-repositories (ECR)", () => {
        it("passes IMMUTABLE with scan on push", async () => {
            await assertNoResourceViolations(immutableRepositories, args(immutableRepositories, ecrRepository({ imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true } })));
        });

        it("refuses MUTABLE tags, and a mutability left out (ECR's default is MUTABLE)", async () => {
            await assertHasResourceViolation(immutableRepositories, args(immutableRepositories, ecrRepository({ imageTagMutability: "MUTABLE", imageScanningConfiguration: { scanOnPush: true } })), /allows tags to be overwritten \(imageTagMutability MUTABLE\)/);
            await assertHasResourceViolation(immutableRepositories, args(immutableRepositories, ecrRepository({ imageScanningConfiguration: { scanOnPush: true } })), /imageTagMutability MUTABLE/);
        });

        it("refuses IMMUTABLE_WITH_EXCLUSION (some tags could still move)", async () => {
            await assertHasResourceViolation(immutableRepositories, args(immutableRepositories, ecrRepository({ imageTagMutability: "IMMUTABLE_WITH_EXCLUSION", imageScanningConfiguration: { scanOnPush: true } })), /IMMUTABLE_WITH_EXCLUSION/);
        });

        it("refuses a repository that does not scan on push", async () => {
            await assertHasResourceViolation(immutableRepositories, args(immutableRepositories, ecrRepository({ imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: false } })), /does not scan images on push/);
            await assertHasResourceViolation(immutableRepositories, args(immutableRepositories, ecrRepository({ imageTagMutability: "IMMUTABLE" })), /does not scan images on push/);
        });

        it("fails closed on values unknown during preview", async () => {
            await assertHasResourceViolation(immutableRepositories, args(immutableRepositories, ecrRepository({ imageTagMutability: unknownStringValue, imageScanningConfiguration: { scanOnPush: true } })), /cannot be known during preview/);
        });

        it("applies on staging; not on playground, whose preset wants no immutable repositories", async () => {
            await assertHasResourceViolation(immutableRepositories, args(immutableRepositories, ecrRepository({ imageTagMutability: "MUTABLE" }), "staging"), /MUTABLE/);
            await assertNoResourceViolations(immutableRepositories, args(immutableRepositories, ecrRepository({ imageTagMutability: "MUTABLE" }), "playground"));
        });
    });

    describe("exact-package-pins (the requirements ConfigMap)", () => {
        it("passes exact pins", async () => {
            await assertNoResourceViolations(exactPackagePins, args(exactPackagePins, requirements(["ukrdc-services", "10.8.5"], ["ukrdc-fastapi", "4.1.0"])));
        });

        for (const [version, pattern] of [
            [">=10.8", /is a range/],
            ["~=10.8", /is a range/],
            ["10.8.*", /is a wildcard/],
            ["10.8.x", /is a wildcard/],
        ] as const) {
            it(`refuses ${version}`, async () => {
                await assertHasResourceViolation(exactPackagePins, args(exactPackagePins, requirements(["ukrdc-services", version])), /ConfigMap production-stack\/pinstack-packages, requirements-release\.txt: package ukrdc-services/, pattern);
            });
        }

        it("refuses a package with no version at all, in a ConfigMap of any name", async () => {
            await assertHasResourceViolation(exactPackagePins, args(exactPackagePins, configMap("renamed", { "requirements-release.txt": "ukrdc-services\n" })), /package ukrdc-services is empty/);
        });

        it("fails closed when the requirement files are unknown during preview", async () => {
            await assertHasResourceViolation(exactPackagePins, args(exactPackagePins, configMap("pinstack-packages", unknownObjectValue)), /data cannot be known during preview/);
        });

        it("ignores ConfigMaps without requirement files", async () => {
            await assertNoResourceViolations(exactPackagePins, args(exactPackagePins, configMap("settings", { "app.conf": "pkg>=1" })));
        });

        it("reads back what lib/contract/requirements.ts writes", () => {
            for (const version of ["10.8.5", "10.8.5rc1", ">=10.8", "~=1.2"]) {
                const [pin] = parseRequirements(requirementLine("ukrdc-services", version), "release");
                assert.deepStrictEqual([pin.name, pin.version], ["ukrdc-services", version]);
            }
            assert.deepStrictEqual(parseRequirements("# channel: release\n--index-url https://x/simple/\npkg[extra]==1.0 ; python_version>'3'  # pinned\n", "release").map((p) => [p.name, p.version]), [["pkg", "1.0"]]);
        });
    });

    describe("no-prereleases on package pins", () => {
        it("refuses a release candidate on production", async () => {
            await assertHasResourceViolation(noPrereleases, args(noPrereleases, requirements(["ukrdc-services", "10.8.5rc1"])), /'10\.8\.5rc1' is a release candidate or prerelease/);
        });

        it("lets staging take it", async () => {
            assert.deepStrictEqual(await runResourcePolicy(noPrereleases, args(noPrereleases, requirements(["ukrdc-services", "10.8.5rc1"]), "staging")), []);
        });
    });
});
