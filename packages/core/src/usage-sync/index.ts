// Usage as Anthropic reports it (issue 24): the Usage & Cost report synced per organization key, beside what
// apikey recorded.
export { retryAfterMs } from "./admin-http.ts";
export { orgOf } from "./org-of.ts";
export { DEFAULT_SINCE_MS, planSync, RECENT_MS, type SyncWindow } from "./plan.ts";
export type { BucketMinutes, ReportedKeyTotal, ReportedUsageRepository, ReportedUsageRow } from "./port.ts";
export { rowsOf } from "./rows.ts";
export { type RecordedSide, type ReportedSide, type SideBySideRow, sideBySide } from "./side-by-side.ts";
export {
  notRecordedUsd,
  type ReportedSubject,
  type SideBySideTotals,
  shownTokens,
  sideBySideTotals,
  subjectOf,
} from "./side-by-side-view.ts";
export {
  type OrgSyncResult,
  type SyncOptions,
  type SyncProgress,
  syncReportedUsage,
} from "./sync.ts";
