/**
 * Promotion as a reviewed config change: promote, rollback, hold and freeze plan their edits of the
 * stack files (nothing written), then apply writes them all-or-nothing.
 */
import { FileChange, TransactionHooks, writeStackEdits } from "../config/write";
export { checkReason, currentActor, Environment, LastChange, PinMove } from "./common";
export { planPromotion, PromoteRequest, PromotionPlan } from "./plan";
export { registryVerifier, SignatureVerifier } from "./signatures";
export { planRollback, RollbackPlan, RollbackRequest } from "./rollback";
export { HoldPlan, planHold } from "./hold";
export { FreezePlan, planFreeze } from "./freeze";

/** Writes every file of a plan, or none (stack file first, then the ledger). */
export function applyChanges(changes: readonly (FileChange | undefined)[], hooks: TransactionHooks = {}): void {
    writeStackEdits(changes.filter((c): c is FileChange => c !== undefined), hooks);
}
