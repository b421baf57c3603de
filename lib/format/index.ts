/** Output formatting for people (tables, colour) and machines (JSON lines). */
export { colorEnabled, painter, Style, visibleLength } from "./color";
export { renderTable, Table } from "./table";
export { shortDigest } from "../pin";
export { checkReport, CheckResult, formatViolation, jsonLine, sortViolations } from "./report";
export { ChangeKind, MatrixRow, packagePinView, PinChange, PinComparison, pinMatrix, pinText, PinView, promotionChanges, servicePinView } from "./pins";
