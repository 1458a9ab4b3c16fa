// Vendored from packages/core/src/usage-sync/findings/kinds.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
// Findings (issue 24, item 4): what the usage Anthropic reports says that apikey's own record cannot — a retired key
// still in use, a gateway-only key used elsewhere, an organization key the store does not know, a budget passed by
// spend apikey never saw. Each has a stable id (kind + key + hour, day or month), so a front can tell it once.

export const FINDING_KINDS = [
  "used-after-retired",
  "used-outside-gateway",
  "unknown-org-key",
  "reported-over-budget",
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** The stored key a finding is about; `name` and `profile` are null for a key deleted from the store. */
export interface FindingKey {
  id: string;
  name: string | null;
  profile: string | null;
}

/** Reported usage on a key apikey rotated, disabled or deleted, in buckets that start after that moment. */
export interface UsedAfterRetired {
  kind: "used-after-retired";
  /** `used-after-retired:<key id>:<retiredAt>`: one finding per retirement, however long the old key is used. */
  id: string;
  key: FindingKey;
  org: string;
  orgKeyIds: string[];
  retired: "rotated" | "disabled" | "deleted";
  retiredAt: Date;
  /** Start of the first and of the last bucket with usage after the retirement. */
  firstUsedAt: Date;
  lastUsedAt: Date;
  tokens: number;
  costUsd: number;
}

/** Reported usage, in hours when apikey recorded none, on a key of a profile meant for the gateway only. */
export interface UsedOutsideGateway {
  kind: "used-outside-gateway";
  /** `used-outside-gateway:<key id>:<YYYY-MM-DD>`: one finding per key and UTC day. */
  id: string;
  key: FindingKey;
  org: string;
  /** The UTC day (YYYY-MM-DD). */
  day: string;
  /** Starts of the UTC hours with reported usage and nothing recorded. */
  hours: Date[];
  tokens: number;
  costUsd: number;
}

/** An organization key active at Anthropic that the store does not hold (import it, or deactivate it). */
export interface UnknownOrgKey {
  kind: "unknown-org-key";
  /** `unknown-org-key:<org>:<organization key id>`. */
  id: string;
  org: string;
  orgKeyId: string;
  name: string | null;
  /** Anthropic's partial hint, e.g. `sk-ant-api03-R2D...igAA`. */
  hint: string | null;
}

/** A key whose month spend as Anthropic reports it is past its monthly budget. */
export interface ReportedOverBudget {
  kind: "reported-over-budget";
  /** `reported-over-budget:<key id>:<YYYY-MM>`. */
  id: string;
  key: FindingKey;
  /** The UTC month (YYYY-MM). */
  month: string;
  budgetUsd: number;
  reportedUsd: number;
  recordedUsd: number;
}

export type Finding = UsedAfterRetired | UsedOutsideGateway | UnknownOrgKey | ReportedOverBudget;

export const findingId = (kind: FindingKind, ...parts: string[]): string => [kind, ...parts].join(":");

/** Every kind, with how many findings of it (0 included), in FINDING_KINDS order. */
export function countByKind(findings: readonly Finding[]): Record<FindingKind, number> {
  const counts = Object.fromEntries(FINDING_KINDS.map((k) => [k, 0])) as Record<FindingKind, number>;
  for (const f of findings) counts[f.kind] += 1;
  return counts;
}

/** A sync older than this is stale: fronts say to run one. */
export const STALE_SYNC_MS = 24 * 3_600_000;

export interface FindingsOptions {
  /** Look at reported usage from here (default: 30 days back). */
  since?: Date;
}

export interface FindingsReport {
  findings: Finding[];
  /** Every kind with its count, 0 included, in FINDING_KINDS order. */
  counts: Record<FindingKind, number>;
  /** Each organization an Admin key in the store reaches, with when a sync of it last completed (null: never). */
  organizations: Array<{ org: string; lastSyncAt: Date | null }>;
  /** The oldest organization's last sync; null when one was never synced, or there is none. */
  lastSyncAt: Date | null;
  /** True when a sync is owed: an organization never synced, or last synced more than STALE_SYNC_MS ago. */
  syncDue: boolean;
  since: Date;
}

/** What setting a profile gateway-only did (app.profiles.setGatewayOnly). */
export interface GatewayOnlyResult {
  profile: string;
  gatewayOnly: boolean;
  /** Since when (null when off). */
  since: Date | null;
  /** False when it already was so: nothing was written. */
  changed: boolean;
}
