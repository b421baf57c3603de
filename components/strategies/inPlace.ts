import type { ServicePin } from "../../lib/model";
import { configuredPin, CutoverPlan, CutoverStrategy } from "./strategy";

/**
 * In-place: one Deployment, rolling update. New pods come up (25% surge) before old ones go
 * (none unavailable), so a release that is compatible with the running data has no downtime.
 */
export const inPlace: CutoverStrategy = {
    name: "in-place",
    plan(pin: ServicePin): CutoverPlan {
        return {
            workloads: [{ suffix: "", labels: {}, pin: configuredPin(pin), runsConfiguredPin: true }],
            serviceSelector: {},
            rollout: { type: "RollingUpdate", maxSurge: "25%", maxUnavailable: 0 },
        };
    },
};
