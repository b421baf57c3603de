import type { Rule, RuleContext, Finding } from "./types";

/** The settings of a container repository (an ECR repository's) the rule looks at. */
export interface RepositorySettings {
    readonly name: string;
    /** ECR's imageTagMutability: "MUTABLE" | "IMMUTABLE" (and the *_WITH_EXCLUSION forms). */
    readonly imageTagMutability?: string;
    readonly scanOnPush?: boolean;
}

/**
 * Where the preset wants immutable repositories (staging, production), a repository's
 * tags cannot be overwritten and images are scanned on push. Config carries no
 * repositories, so evaluateStack has nothing to check; the policy pack calls this on
 * each aws:ecr/repository:Repository.
 */
export function checkRepository(repository: RepositorySettings, context: Pick<RuleContext, "preset" | "stack">): Finding[] {
    if (!context.preset.immutableRepositories) return [];
    const findings: Finding[] = [];
    if (repository.imageTagMutability !== "IMMUTABLE") {
        findings.push({
            subject: repository.name,
            message: `repository ${repository.name} allows tags to be overwritten (imageTagMutability ${repository.imageTagMutability ?? "MUTABLE"}); ${context.stack} needs IMMUTABLE so a pushed tag always names the same image`,
        });
    }
    if (repository.scanOnPush !== true) {
        findings.push({ subject: repository.name, message: `repository ${repository.name} does not scan images on push; set imageScanningConfiguration.scanOnPush: true` });
    }
    return findings;
}

/** Rule `immutable-repositories`: described here, checked by checkRepository on ECR resources. */
export const immutableRepositories: Rule = {
    id: "immutable-repositories",
    description: "Container repositories of staging and production have immutable tags and scan on push (checked on the ECR resources).",
};
