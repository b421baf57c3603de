import type { SchemeName } from "../model";
import { schemes } from "../schemes";

/** Whether a pin moves forward or back: by the scheme's order, "unordered" where it has none or cannot read a side. */
export type Direction = "upgrade" | "downgrade" | "same" | "unordered";

/** The direction from one tag (or package version) to another under `scheme`. */
export function direction(scheme: SchemeName, from: string | undefined, to: string | undefined): Direction {
    if (from === to) return "same";
    if (from === undefined || to === undefined) return "unordered";
    const tagScheme = schemes[scheme];
    if (!tagScheme || !tagScheme.ordered || !tagScheme.parse(from).ok || !tagScheme.parse(to).ok) return "unordered";
    const order = tagScheme.compare(to, from);
    return order > 0 ? "upgrade" : order < 0 ? "downgrade" : "same";
}
