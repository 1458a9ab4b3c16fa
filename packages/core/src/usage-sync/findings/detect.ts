import { budgetState } from "../../usage/budget.ts";
import type { RecordedHour } from "../../usage/port.ts";
import type { OrgKeySnapshot } from "../org-snapshot.ts";
import type { ReportedBucket } from "../port.ts";
import {
  type FindingKey,
  findingId,
  type ReportedOverBudget,
  type UnknownOrgKey,
  type UsedAfterRetired,
  type UsedOutsideGateway,
} from "./kinds.ts";

// The four findings, decided from what the store returns (pure): no clock, no I/O.

const HOUR = 3_600_000;

export interface Retirement {
  key: FindingKey;
  retired: UsedAfterRetired["retired"];
  at: Date;
}

function byKey(buckets: readonly ReportedBucket[]): Map<string, ReportedBucket[]> {
  const out = new Map<string, ReportedBucket[]>();
  for (const b of buckets) {
    if (b.keyId === null || b.tokens <= 0) continue;
    const list = out.get(b.keyId) ?? [];
    list.push(b);
    out.set(b.keyId, list);
  }
  return out;
}

/** Usage in buckets that start after the key was retired: someone still holds the old key. */
export function usedAfterRetired(
  retirements: readonly Retirement[],
  buckets: readonly ReportedBucket[],
): UsedAfterRetired[] {
  const grouped = byKey(buckets);
  const out: UsedAfterRetired[] = [];
  for (const r of retirements) {
    const after = (grouped.get(r.key.id) ?? []).filter((b) => b.bucketStart.getTime() > r.at.getTime());
    const [first] = after;
    if (!first) continue;
    const starts = after.map((b) => b.bucketStart.getTime());
    out.push({
      kind: "used-after-retired",
      id: findingId("used-after-retired", r.key.id, r.at.toISOString()),
      key: r.key,
      org: first.org,
      orgKeyIds: [...new Set(after.map((b) => b.orgKeyId))],
      retired: r.retired,
      retiredAt: r.at,
      firstUsedAt: new Date(Math.min(...starts)),
      lastUsedAt: new Date(Math.max(...starts)),
      tokens: after.reduce((n, b) => n + b.tokens, 0),
      costUsd: after.reduce((n, b) => n + b.costUsd, 0),
    });
  }
  return out;
}

export interface GatewayOnlyKey {
  key: FindingKey;
  /** When its profile was marked gateway-only: usage before that is no finding. */
  since: Date;
}

/**
 * How far from a reported bucket a recorded request still explains it. The gateway records a request when its
 * answer ends, Anthropic may place it where it began: a stream that crosses an hour is recorded in one hour and
 * reported in the other. 10 minutes is the gateway's default upstream timeout, the longest a request it passes
 * on can run; past that, usage with nothing recorded near it did not go through the gateway.
 */
export const RECORDED_TOLERANCE_MS = 10 * 60_000;

type Recorded = Pick<RecordedHour, "keyId" | "hour"> & Partial<Pick<RecordedHour, "first" | "last">>;

/** Whether recorded usage explains a reported bucket: the same hour, or a request within the tolerance of it. */
function explainedBy(recorded: ReadonlyMap<string, Recorded>, keyId: string, b: ReportedBucket): boolean {
  const start = b.bucketStart.getTime();
  const end = start + b.bucketMinutes * 60_000;
  if (recorded.has(`${keyId}@${Math.floor(start / HOUR) * HOUR}`)) return true;
  const from = start - RECORDED_TOLERANCE_MS;
  const until = end + RECORDED_TOLERANCE_MS;
  for (let hour = Math.floor(from / HOUR) * HOUR; hour < until; hour += HOUR) {
    const h = recorded.get(`${keyId}@${hour}`);
    // Without the moments (an hour known only as an hour), only the same hour counts.
    if (h?.first && h.last && h.last.getTime() >= from && h.first.getTime() < until) return true;
  }
  return false;
}

/**
 * Reported usage in UTC hours without any recorded usage, for keys meant for the gateway only: whatever went
 * through the gateway was recorded, so such an hour's usage came from somewhere else. One finding per key and day.
 */
export function usedOutsideGateway(
  keys: readonly GatewayOnlyKey[],
  buckets: readonly ReportedBucket[],
  recordedHours: readonly Recorded[],
): UsedOutsideGateway[] {
  const grouped = byKey(buckets);
  const recorded = new Map(recordedHours.map((h) => [`${h.keyId}@${h.hour.getTime()}`, h]));
  const out = new Map<string, UsedOutsideGateway>();
  for (const { key, since } of keys) {
    for (const b of grouped.get(key.id) ?? []) {
      if (b.bucketStart.getTime() < since.getTime()) continue;
      const hour = Math.floor(b.bucketStart.getTime() / HOUR) * HOUR;
      if (explainedBy(recorded, key.id, b)) continue;
      const day = new Date(hour).toISOString().slice(0, 10);
      const id = findingId("used-outside-gateway", key.id, day);
      const f = out.get(id) ?? {
        kind: "used-outside-gateway",
        id,
        key,
        org: b.org,
        day,
        hours: [],
        tokens: 0,
        costUsd: 0,
      };
      if (!f.hours.some((h) => h.getTime() === hour)) f.hours.push(new Date(hour));
      f.tokens += b.tokens;
      f.costUsd += b.costUsd;
      out.set(id, f);
    }
  }
  return [...out.values()];
}

/** Organization keys active at Anthropic that the last sync could not link to a stored key. */
export function unknownOrgKeys(org: string, snapshot: OrgKeySnapshot | null): UnknownOrgKey[] {
  return (snapshot?.keys ?? [])
    .filter((k) => k.status === "active" && k.keyId === null)
    .map((k) => ({
      kind: "unknown-org-key",
      id: findingId("unknown-org-key", org, k.id),
      org,
      orgKeyId: k.id,
      name: k.name,
      hint: k.hint,
    }));
}

export interface BudgetedKey {
  key: FindingKey;
  budgetUsd: number;
}

/** Keys whose month spend as Anthropic reports it is past their monthly budget. `month` is YYYY-MM (UTC). */
export function reportedOverBudget(
  keys: readonly BudgetedKey[],
  reported: ReadonlyMap<string, number>,
  recorded: ReadonlyMap<string, number>,
  month: string,
): ReportedOverBudget[] {
  const out: ReportedOverBudget[] = [];
  for (const { key, budgetUsd } of keys) {
    const reportedUsd = reported.get(key.id) ?? 0;
    if (budgetState(reportedUsd, budgetUsd) !== "over") continue;
    out.push({
      kind: "reported-over-budget",
      id: findingId("reported-over-budget", key.id, month),
      key,
      month,
      budgetUsd,
      reportedUsd,
      recordedUsd: recorded.get(key.id) ?? 0,
    });
  }
  return out;
}
