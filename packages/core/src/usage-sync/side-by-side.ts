import type { Store } from "../store.ts";
import type { UsageSummaryRow } from "../usage/port.ts";
import type { ReportedKeyTotal } from "./port.ts";

// What apikey recorded (usage_events) beside what Anthropic reported (usage_reported), per key, over one window.
// A key used through `exec`, `env` or apiKeyHelper shows reported usage only; one used through the gateway, both.

export interface RecordedSide {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  costUsd: number;
}

export type ReportedSide = Omit<ReportedKeyTotal, "org" | "orgKeyId" | "keyId">;

export interface SideBySideRow {
  /** The stored key; null for an organization key the store does not hold (or the Workbench). */
  keyId: string | null;
  /** The organization key(s) Anthropic reported it under ("" is the Workbench); empty when nothing was reported. */
  orgKeyIds: string[];
  recorded: RecordedSide | null;
  reported: ReportedSide | null;
  /** Reported minus recorded cost; what apikey did not see. */
  differenceUsd: number;
}

const REPORTED_FIELDS = [
  "inputTokens",
  "outputTokens",
  "cacheCreationTokens",
  "cacheReadTokens",
  "webSearchRequests",
  "costUsd",
  "unpricedRows",
] as const;

export async function sideBySide(
  store: Store,
  window: { since: Date; until?: Date },
): Promise<SideBySideRow[]> {
  const reported = await store.reportedUsage.totalsByKey(window);
  if (reported.length === 0) return [];
  const recorded = await store.usage.summarise({ ...window, by: "key" });
  const rows = new Map<string, SideBySideRow>();
  const rowFor = (id: string, keyId: string | null) => {
    let row = rows.get(id);
    if (!row) {
      row = { keyId, orgKeyIds: [], recorded: null, reported: null, differenceUsd: 0 };
      rows.set(id, row);
    }
    return row;
  };
  for (const r of recorded) rowFor(`key:${r.group}`, r.group).recorded = recordedSide(r);
  for (const r of reported) {
    const row = rowFor(r.keyId === null ? `org:${r.org}:${r.orgKeyId}` : `key:${r.keyId}`, r.keyId);
    row.orgKeyIds.push(r.orgKeyId);
    row.reported = add(row.reported, r);
  }
  for (const row of rows.values())
    row.differenceUsd = (row.reported?.costUsd ?? 0) - (row.recorded?.costUsd ?? 0);
  return [...rows.values()];
}

function recordedSide(r: UsageSummaryRow): RecordedSide {
  const { requests, inputTokens, outputTokens, cacheCreationTokens, cacheReadTokens, costUsd } = r;
  return { requests, inputTokens, outputTokens, cacheCreationTokens, cacheReadTokens, costUsd };
}

function add(into: ReportedSide | null, r: ReportedKeyTotal): ReportedSide {
  const out = Object.fromEntries(REPORTED_FIELDS.map((f) => [f, (into?.[f] ?? 0) + r[f]]));
  return out as ReportedSide;
}
