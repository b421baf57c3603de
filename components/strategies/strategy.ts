import type { Provenance, ServicePin, StrategyName } from "../../lib/model";
import { pinVersion } from "../../lib/pin";

/** The image one Deployment runs: the configured pin, or (blue-green) the previous one. */
export interface WorkloadPin {
    readonly tag?: string;
    readonly digest?: string;
    /** Shown as app.kubernetes.io/version and in version.json. */
    readonly version: string;
    readonly commit?: string;
    readonly provenance?: Provenance;
}

/** One Deployment a strategy asks for. */
export interface WorkloadPlan {
    /** Appended to the service name for the Deployment's name: "" or "-blue" / "-green". */
    readonly suffix: string;
    /** Labels on the Deployment, its selector and pods, on top of the service's name label. */
    readonly labels: Readonly<Record<string, string>>;
    readonly pin: WorkloadPin;
    /**
     * True when this Deployment runs the configured pin: it waits for the migrations Job
     * and carries the pin's provenance. The previous pin of a blue-green pair does neither.
     */
    readonly runsConfiguredPin: boolean;
}

export type Rollout =
    | { readonly type: "RollingUpdate"; readonly maxSurge: string | number; readonly maxUnavailable: string | number }
    | { readonly type: "Recreate" };

/** What a cutover strategy decides for one service; ServiceRelease turns it into resources. */
export interface CutoverPlan {
    readonly workloads: readonly WorkloadPlan[];
    /** Labels the Service selects on, on top of the service's name label. */
    readonly serviceSelector: Readonly<Record<string, string>>;
    /**
     * Flags the strategy keeps in the app's ConfigMap (`<service>-config`), visible to running
     * pods as files and to new pods as environment variables. Undefined: no app ConfigMap.
     */
    readonly appConfig?: Readonly<Record<string, string>>;
    readonly rollout: Rollout;
}

/**
 * A cutover strategy (METASPACE's "choose a deployment strategy"): a pure planner from a
 * validated pin to the workloads, selector and flags. No resources are created here, so each
 * strategy is tested as plain data and ServiceRelease wires the same plan for all of them.
 */
export interface CutoverStrategy {
    readonly name: StrategyName;
    plan(pin: ServicePin): CutoverPlan;
}

/** The configured pin as a workload pin (its version as lib/pin's pinVersion says). */
export function configuredPin(pin: ServicePin): WorkloadPin {
    return {
        tag: pin.tag,
        digest: pin.digest,
        version: pinVersion(pin),
        commit: pin.commit,
        provenance: pin.provenance,
    };
}
