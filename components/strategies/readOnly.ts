import type { ServicePin } from "../../lib/model";
import { inPlace } from "./inPlace";
import { CutoverPlan, CutoverStrategy } from "./strategy";

/** The app ConfigMap key (and environment variable) of the read-only flag. */
export const readOnlyKey = "READ_ONLY";

/**
 * Read-only window (METASPACE's "turn METASPACE to read-only mode", made declarative): the
 * same rolling Deployment as in-place, plus `READ_ONLY` in the app's ConfigMap.
 *
 * Opening: the update that carries the risky change sets `readOnly: true` on the pin. The
 * ConfigMap is applied first; the migrations Job depends on it and the Deployment on the
 * Job, so the rendered manifests of that one update show the flag set, the Job, and the new
 * image. Running pods see the flag as the file `/etc/pinstack/config/READ_ONLY` (kubelet
 * refreshes mounted ConfigMaps within about a minute); pods started later get it as `$READ_ONLY`.
 *
 * Clearing: once the release is verified, the next config change sets `readOnly: false` (or
 * drops it) and `pulumi up` writes `READ_ONLY=false`; the pod template's config hash changes
 * with it, so the pods roll and no process keeps a stale `$READ_ONLY=true`. The flag is
 * never cleared behind config's back: the stack's config always says whether the window is open.
 */
export const readOnly: CutoverStrategy = {
    name: "read-only",
    plan(pin: ServicePin): CutoverPlan {
        return {
            ...inPlace.plan(pin),
            appConfig: { [readOnlyKey]: pin.readOnly ? "true" : "false" },
        };
    },
};
