// Vendored from packages/core/src/usage-sync/findings/index.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
// Findings over reported usage (issue 24, item 4): pure detection (./detect.ts) over what the store returns
// (./read.ts), with stable ids and one sentence each.
export { describeFinding } from "./describe.ts";
export {
  countByKind,
  FINDING_KINDS,
  type Finding,
  type FindingKey,
  type FindingKind,
  type ReportedOverBudget,
  type UnknownOrgKey,
  type UsedAfterRetired,
  type UsedOutsideGateway,
} from "./kinds.ts";
export { type FindingsOptions, type FindingsReport, STALE_SYNC_MS, usageFindings } from "./read.ts";
