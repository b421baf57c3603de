/**
 * pinstack's CrossGuard policy pack: the tag rules of lib/rules enforced at preview time, on
 * what the program really deploys. Run it with the config of the stack being deployed:
 *
 *   pulumi preview -s production --policy-pack policies --policy-pack-config policies/config.production.json
 *
 * The only place that constructs the PolicyPack (construction starts the analyzer server).
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./all";

new PolicyPack("pinstack", {
    description: "pinstack release rules: pinned, promoted, sealed image and package pins per stack preset (see policies/README.md).",
    policies,
});
