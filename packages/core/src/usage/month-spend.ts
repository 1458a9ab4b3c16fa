import type { Store } from "../store.ts";
import { monthWindow } from "./window.ts";

// The one rule for what a key has spent (issue 24): the larger of what apikey recorded and what Anthropic's usage
// report says. A key used through `exec`, `env` or apiKeyHelper records nothing, so its budget follows the report;
// one used through the gateway is usually ahead of the report (which lags by minutes), so it follows its record.
// Not their sum: the same request appears in both.

/** A key's spend over a window, from both sides. */
export interface SpendSides {
  recordedUsd: number;
  reportedUsd: number;
  /** What budgets compare: max(recorded, reported). */
  spentUsd: number;
}

export const spendOf = (recordedUsd: number, reportedUsd: number): number =>
  Math.max(recordedUsd, reportedUsd);

/** A key's spend over a window (`since` inclusive, `until` exclusive): what the gateway and budgets read. */
export async function keySpend(store: Store, window: { since: Date; until?: Date }, keyId: string) {
  const [[recorded], [reported]] = await Promise.all([
    store.usage.spendByKey({ ...window, keyId }),
    store.reportedUsage.spendByKey({ ...window, keyId }),
  ]);
  return sidesOf(recorded?.costUsd ?? 0, reported?.costUsd ?? 0);
}

/** Month-to-date (UTC) spend of every key that has any, on either side, by key id: two queries. */
export async function monthSpendByKey(store: Store, now: Date): Promise<Map<string, SpendSides>> {
  const window = monthWindow(now);
  const [recorded, reported] = await Promise.all([
    store.usage.spendByKey(window),
    store.reportedUsage.spendByKey(window),
  ]);
  const out = new Map<string, SpendSides>();
  for (const r of recorded) out.set(r.keyId, sidesOf(r.costUsd, 0));
  for (const r of reported) out.set(r.keyId, sidesOf(out.get(r.keyId)?.recordedUsd ?? 0, r.costUsd));
  return out;
}

function sidesOf(recordedUsd: number, reportedUsd: number): SpendSides {
  return { recordedUsd, reportedUsd, spentUsd: spendOf(recordedUsd, reportedUsd) };
}
