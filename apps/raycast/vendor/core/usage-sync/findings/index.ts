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
  type FindingsOptions,
  type FindingsReport,
  type GatewayOnlyResult,
  type ReportedOverBudget,
  STALE_SYNC_MS,
  type UnknownOrgKey,
  type UsedAfterRetired,
  type UsedOutsideGateway,
} from "./kinds.ts";
// usageFindings (./read.ts) is reached through app.usage.findings, loaded when called: it parses stored JSON with
// zod, which a front's start should not load (issue 25).
