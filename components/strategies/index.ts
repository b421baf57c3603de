import type { StrategyName } from "../../lib/model";
import { blueGreen } from "./blueGreen";
import { inPlace } from "./inPlace";
import { readOnly } from "./readOnly";
import type { CutoverStrategy } from "./strategy";

export type { CutoverPlan, CutoverStrategy, Rollout, WorkloadPin, WorkloadPlan } from "./strategy";
export { readOnlyKey } from "./readOnly";
export { migrationsJobName, migrationsJobSpec } from "./migrations";

/** Every cutover strategy by its config name; adding one is a module and a line here. */
export const strategies: Readonly<Record<StrategyName, CutoverStrategy>> = {
    "in-place": inPlace,
    "blue-green": blueGreen,
    "read-only": readOnly,
};

export function strategyFor(name: StrategyName): CutoverStrategy {
    const strategy = strategies[name];
    // Config is validated by lib/ before any component runs; this guards programming errors.
    if (!strategy) throw new Error(`unknown cutover strategy "${name}"`);
    return strategy;
}
