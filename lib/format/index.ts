/** Output formatting for people (tables, colour) and machines (JSON lines). */
export { colorEnabled, painter, Style, visibleLength } from "./color";
export { renderTable, shortDigest, Table } from "./table";
export { formatViolation, jsonLine } from "./report";
export { ChangeKind, MatrixRow, packagePinView, PinChange, pinDiff, pinMatrix, PinView, samePin, servicePinView } from "./pins";
