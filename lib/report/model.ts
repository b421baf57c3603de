import type { PinView } from "../format";

/**
 * The release board's data: what runs where (the pin matrix), what happened (events per
 * service and stack, each with the Pulumi update that deployed it), every Pulumi update per
 * stack, and the lead time of each production release. Plain data: `pinstack report --json`
 * prints it and lib/report/html.ts draws it; neither adds a fact of its own.
 */

export const BOARD_FORMAT = 1;

export interface BoardStack {
    readonly name: string;
    readonly environment: string;
    readonly hold: boolean;
    readonly holdReason: string | null;
    /** The freeze the stack is under when the board is made (a window or `pinstack freeze`), described; null when none. */
    readonly frozen: string | null;
    /** Why this stack's Pulumi updates are missing from the board (the CLI could not read them). */
    readonly warning: string | null;
}

/** One cell of the matrix: a stack's pin of a service or package now. */
export interface BoardCell {
    readonly pin: PinView | null;
    /** `tag@sha256:<12 hex>` or the package version; "" when the stack has no pin. */
    readonly text: string;
    readonly version: string;
    readonly digest: string;
    /** The stack is on hold: only rollbacks may change this pin. */
    readonly held: boolean;
    /** No earlier stage (in promotion order) runs or ever ran this pin, by the stacks' git history. */
    readonly firstHere: boolean;
}

export interface BoardRow {
    readonly id: string;
    readonly kind: "service" | "package";
    readonly name: string;
    readonly cells: Readonly<Record<string, BoardCell>>;
    readonly drift: boolean;
    readonly missing: readonly string[];
    readonly tagMoved: boolean;
    /** Names this service had before a rename, newest first. */
    readonly formerNames: readonly string[];
}

/**
 * What a change did: the pinstack command that made it, or `edit` for a pin changed by hand
 * (no pinstack command recorded), `break-glass` for a promotion past a rule that normally stops
 * it (--allow-undeployed: the pin never ran on its source; --break-glass: through a freeze),
 * `rename` for a service that moved to a new name.
 */
export type EventKind = "promote" | "rollback" | "hold" | "hold-clear" | "freeze" | "freeze-clear" | "edit" | "break-glass" | "rename";

export interface BoardUpdate {
    readonly id: string;
    readonly stack: string;
    readonly version: number;
    readonly kind: string;
    readonly result: string;
    readonly startTime: string;
    readonly endTime: string | null;
    readonly durationSeconds: number | null;
    readonly message: string;
    /** The commit whose stack file this update ran (null: config that no commit has). */
    readonly commit: string | null;
    /** The BoardChange it ran, when it ran one. */
    readonly change: string | null;
    /**
     * What the update did to resources (`{"create": 2, "same": 5}`). For a failed update it is
     * what is known of the failure: `pulumi stack history` records the result, not the error text.
     */
    readonly resourceChanges: Readonly<Record<string, number>> | null;
}

/**
 * One version of a stack file that changed something: its commit, who made it and why, and
 * the Pulumi updates that ran it. Its events (one per pin moved, one for a hold) point at it,
 * so a release train of hundreds of pins says its commit, reason and updates once.
 */
export interface BoardChange {
    readonly id: string;
    readonly stack: string;
    /** Commit time, in UTC. */
    readonly at: string;
    /** null for the working tree (not committed). */
    readonly commit: string | null;
    readonly author: string;
    /** Who made it: the pinstack command's actor, else (a hand edit) the commit's author. */
    readonly by: string;
    readonly reason: string;
    readonly message: string;
    /** The pinstack command that wrote it (`pinstack:lastChange`); null for a hand edit. */
    readonly command: string | null;
    /** Ids of the Pulumi updates that ran this version, oldest first: the first is the deploy, the rest re-runs. */
    readonly updates: readonly string[];
}

export interface BoardEvent {
    readonly id: string;
    /** The BoardChange that made it. */
    readonly change: string;
    readonly stack: string;
    /** Its change's time (repeated here: filters and charts read it for every event). */
    readonly at: string;
    readonly kind: EventKind;
    /** "service" / "package" for a pin change; "stack" for a hold on the whole stack. */
    readonly subject: "service" | "package" | "stack";
    /** The service or package (its name at the time); "" for a stack event. */
    readonly name: string;
    /** The name the board lists it under now (differs after a rename). */
    readonly current: string;
    /** The stack it was promoted from, by its provenance. */
    readonly from: string | null;
    readonly before: string;
    readonly after: string;
    /** Who, when it is not the change's `by`. */
    readonly by?: string;
    /** Why, when it is not the change's `reason` (a hold set by a rollback has its own). */
    readonly reason?: string;
}

/** One release through production: from the production change's commit to its successful deployment. */
export interface BoardRelease {
    readonly id: string;
    /** The production event that made the release. */
    readonly event: string;
    readonly kind: "service" | "package";
    readonly name: string;
    readonly version: string;
    readonly commit: string | null;
    /** When the change was committed (merged) to the production stack file. */
    readonly mergedAt: string;
    /** When the first successful production update that ran it ended; null: not deployed yet. */
    readonly deployedAt: string | null;
    readonly leadTimeSeconds: number | null;
    /** When an earlier stage first ran this pin, for the whole pipeline's lead time. */
    readonly firstSeenAt: string | null;
}

export interface Board {
    readonly format: typeof BOARD_FORMAT;
    readonly generatedAt: string;
    readonly since: string | null;
    readonly until: string | null;
    /** In promotion order. */
    readonly stacks: readonly BoardStack[];
    readonly matrix: readonly BoardRow[];
    /** Stack file versions that changed something, newest first. */
    readonly changes: readonly BoardChange[];
    /** Newest first. */
    readonly events: readonly BoardEvent[];
    /** Every Pulumi update of every stack, newest first. */
    readonly updates: readonly BoardUpdate[];
    /** Newest first. */
    readonly releases: readonly BoardRelease[];
}
