export type { FreezeWindow, WeeklyWindow, DatedWindow, LocalDateTime } from "./windows";
export { parseWindow } from "./windows";
export type { AdHocFreeze, Freeze } from "./frozen";
export { isFrozen } from "./frozen";
export { currentTime, isoSeconds, parseInstant } from "./now";
export { isKnownZone, localTimeAt, instantOf } from "./zone";
export type { FrozenChange } from "./stack";
export type { FreezeFacts } from "./stack";
export { changesDuringFreeze, describeFreeze, freezeFacts, frozenMessage, frozenRefusal, stackFreeze } from "./stack";
