import type { ResourceValidationPolicy } from "@pulumi/policy";
import { reportImageFindings } from "./support/images";
import { schemeForMain, withContext, workloadToCheck } from "./support/policy";
import { applies, configSchema } from "./support/settings";

/**
 * lib rule `registry-allowed` with the stack's allow-list from the pack's config (`registries`),
 * or the preset's when the config gives none. An entry is a registry (`ghcr.io`,
 * `registry.example.com:5000`) or a registry and path prefix (`ghcr.io/pinstack-example`). A
 * port is part of the registry: `registry.example.com` does not allow
 * `registry.example.com:5000` (another service on that host could be anyone's); list the port
 * to allow it. Images without a registry are Docker Hub's (`docker.io`).
 */
export const registryAllowed: ResourceValidationPolicy = {
    name: "registry-allowed",
    description:
        "Images come only from the registries the stack allows (registry host with its port, optionally a path prefix). " +
        "Push the image to an allowed registry and pin that reference instead.",
    enforcementLevel: "mandatory",
    configSchema: configSchema({
        registries: {
            type: "array",
            items: { type: "string", minLength: 1 },
            description: "Allowed registries: `host[:port]` or `host[:port]/path-prefix`. Empty allows any; absent uses the preset's list.",
        },
    }),
    validateResource: (args, report) => {
        const workload = workloadToCheck(args);
        if (!workload) return;
        withContext(args, report, (context) => {
            if (!applies(context, "registry-allowed")) return;
            reportImageFindings(workload, { rule: "registry-allowed", context, scheme: schemeForMain(workload) }, report);
        });
    },
};
