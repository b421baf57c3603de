import type { Policies } from "@pulumi/policy";
import { acceptanceChecklist } from "./acceptance-checklist";
import { digestRequired } from "./digest-required";
import { exactPackagePins } from "./exact-package-pins";
import { hold } from "./hold";
import { immutableRepositories } from "./immutable-repositories";
import { loadTestGate } from "./load-test-gate";
import { loadTestWarning } from "./load-test-warning";
import { noMutableTags } from "./no-mutable-tags";
import { noPrereleases } from "./no-prereleases";
import { productionBranchTag } from "./production-branch-tag";
import { provenance } from "./provenance";
import { readableKinds } from "./readable-kinds";
import { registryAllowed } from "./registry-allowed";
import { signedImages } from "./signed-images";
import { stackEnvironment } from "./stack-environment";
import { tagScheme } from "./tag-scheme";

/**
 * Every policy of the pack, in lib's rule order, then the pack's own. Named after lib's
 * RuleIds where the rule is lib's. Tests import this (and the modules), never index.ts, whose
 * PolicyPack starts serving on construction.
 */
export const policies: Policies = [
    noMutableTags,
    tagScheme,
    noPrereleases,
    digestRequired,
    registryAllowed,
    exactPackagePins,
    provenance,
    hold,
    loadTestGate,
    loadTestWarning,
    acceptanceChecklist,
    productionBranchTag,
    immutableRepositories,
    signedImages,
    stackEnvironment,
    readableKinds,
];
