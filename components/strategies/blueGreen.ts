import type { Color, ServicePin } from "../../lib/model";
import { LabelKeys } from "../../lib/contract";
import { activeColor, colorImages, pinVersion, samePin } from "../../lib/pin";
import { configuredPin, CutoverPlan, CutoverStrategy } from "./strategy";

const colors: readonly Color[] = ["blue", "green"];

/**
 * Blue-green: two Deployments, `<service>-blue` and `<service>-green`; the Service selects
 * `pinstack.dev/color: <activeColor>` (blue when unset).
 *
 * The active colour runs the configured pin (`tag`/`digest`); the inactive colour runs
 * `previous`, kept for a fast rollback (the same pin as the active colour while there is no
 * `previous`). Each Deployment depends only on its own pin, never on which colour is active,
 * so:
 * - promotion: new pin in `tag`, old one in `previous`, `activeColor` flipped — the old
 *   colour is untouched, the other rolls to the new pin, the selector moves;
 * - switch back (rollback): `tag` and `previous` exchanged and `activeColor` flipped —
 *   both Deployments stay as they are and only the Service selector changes.
 */
export const blueGreen: CutoverStrategy = {
    name: "blue-green",
    plan(pin: ServicePin): CutoverPlan {
        const active = activeColor(pin);
        const current = configuredPin(pin);
        const images = colorImages(pin);
        return {
            workloads: colors.map((color) => {
                const image = images[color];
                const workloadPin = color === active || !pin.previous ? current : { tag: image.tag, digest: image.digest, version: pinVersion({ tag: image.tag }) };
                return {
                    suffix: `-${color}`,
                    labels: { [LabelKeys.color]: color },
                    pin: workloadPin,
                    // Both colours run the pin's init containers and sidecars: the colours differ in the main image only.
                    runsConfiguredPin: samePin({ ...image, initContainers: pin.initContainers, sidecars: pin.sidecars }, pin, { digests: "exact" }),
                };
            }),
            serviceSelector: { [LabelKeys.color]: active },
            rollout: { type: "RollingUpdate", maxSurge: "25%", maxUnavailable: 0 },
        };
    },
};
