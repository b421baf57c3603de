import type { ExtraContainer, SchemeName } from "../model";
import { CONTAINER_KIND, EXTRA_CONTAINER_LISTS, type Artifact, type ContainerList } from "./artifact";
import { direction, type Direction } from "./direction";
import { samePin } from "./equality";
import { shortPin } from "./reference";

/** One changed init container or sidecar, said in one line: `sidecar proxy: 2.0.1 → 2.0.2`. */
export interface ContainerChange {
    readonly list: ContainerList;
    readonly text: string;
}

/**
 * The one diff of a service's pin: what changed from `before` to `after` in the main image
 * and in every init container and sidecar. `status`, `diff`, `promote`, `rollback`,
 * `history`, the pull request comment and the pack's hold check all report it.
 */
export interface PinDiff {
    /** Nothing the service runs changed. */
    readonly same: boolean;
    /** The main image's repository, tag or digest changed. */
    readonly mainChanged: boolean;
    /** Of the main tag, by the service's scheme. */
    readonly direction: Direction;
    /** The changed containers, by list, in `after`'s order; removed ones after. */
    readonly containers: readonly ContainerChange[];
}

export function diffPin(before: Artifact, after: Artifact, scheme: SchemeName): PinDiff {
    const containers = containerChanges(before, after);
    const mainChanged = before.image !== after.image || before.tag !== after.tag || before.digest !== after.digest;
    return { same: samePin(before, after, { digests: "exact" }), mainChanged, direction: direction(scheme, before.tag, after.tag), containers };
}

/** The container lines of a diff as text. */
export function containerLines(diff: PinDiff): string[] {
    return diff.containers.map((c) => c.text);
}

function containerChanges(before: Artifact, after: Artifact): ContainerChange[] {
    const out: ContainerChange[] = [];
    const shown = (c: ExtraContainer) => `${c.image}:${shortPin(c)}`;
    for (const list of EXTRA_CONTAINER_LISTS) {
        const what = CONTAINER_KIND[list];
        const was = before[list] ?? [];
        const now = after[list] ?? [];
        const byName = new Map(was.map((c) => [c.name, c]));
        for (const c of now) {
            const old = byName.get(c.name);
            if (!old) out.push({ list, text: `${what} ${c.name} added: ${shown(c)}` });
            else if (old.image !== c.image) out.push({ list, text: `${what} ${c.name}: ${shown(old)} → ${shown(c)}` });
            else if (old.tag !== c.tag || old.digest !== c.digest) out.push({ list, text: `${what} ${c.name}: ${shortPin(old)} → ${shortPin(c)}` });
        }
        const names = new Set(now.map((c) => c.name));
        for (const c of was) if (!names.has(c.name)) out.push({ list, text: `${what} ${c.name} removed (was ${shown(c)})` });
        const kept = (cs: readonly ExtraContainer[], other: Set<string>) => cs.map((c) => c.name).filter((n) => other.has(n)).join(",");
        if (kept(was, names) !== kept(now, new Set(was.map((c) => c.name)))) out.push({ list, text: `${what}s reordered: ${now.map((c) => c.name).join(", ")}` });
    }
    return out;
}
