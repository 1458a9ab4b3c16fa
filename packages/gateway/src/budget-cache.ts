import type { Store } from "@apikey/core";
import { type BudgetStatus, budgetStatus, toBudgetStatus } from "@apikey/core/usage";

// Month-to-date spend per key, kept in memory: summing the month's events on every request would cost more than
// the forwarding itself at thousands of requests a second. Each recorded cost is added as it happens; the figure
// and the key's budget settings are re-read when another process has committed to the store (the gateway calls
// `invalidate()`: a budget set elsewhere applies to the next request) and every `refreshMs` (the turn of the month).

interface Entry {
  status: BudgetStatus;
  /** Spend recorded here since `status` was read. */
  added: number;
  readAt: number;
}

export interface BudgetCache {
  /** The key's budget status now; reads the store only when the cached figure is older than `refreshMs`. */
  check(keyId: string, keyName: string): Promise<BudgetStatus>;
  add(keyId: string, costUsd: number | null): void;
  /** Forget every figure: the next check of each key reads the store. */
  invalidate(): void;
}

export function budgetCache(store: Store, now: () => Date, refreshMs = 2000): BudgetCache {
  const entries = new Map<string, Entry>();
  let loading = new Map<string, Promise<Entry>>();
  // Bumped by invalidate(): a read that started before it must not be cached.
  let generation = 0;

  function load(keyId: string): Promise<Entry> {
    let p = loading.get(keyId);
    if (!p) {
      const started = generation;
      const pending = loading;
      p = budgetStatus(store, keyId, now())
        .then((status) => {
          const entry = { status, added: 0, readAt: Date.now() };
          if (started === generation) entries.set(keyId, entry);
          return entry;
        })
        .finally(() => pending.delete(keyId));
      loading.set(keyId, p);
    }
    return p;
  }

  return {
    async check(keyId, keyName) {
      let entry = entries.get(keyId);
      if (!entry || Date.now() - entry.readAt >= refreshMs) entry = await load(keyId);
      const { status, added } = entry;
      if (status.budgetUsd === null || added === 0) return status;
      const next = toBudgetStatus(
        { id: keyId, name: keyName, monthlyBudgetUsd: status.budgetUsd, budgetMode: status.mode },
        status.spentUsd + added,
      );
      return next;
    },
    add(keyId, costUsd) {
      const entry = entries.get(keyId);
      if (entry && costUsd !== null && Number.isFinite(costUsd) && costUsd > 0) entry.added += costUsd;
    },
    invalidate() {
      generation++;
      entries.clear();
      loading = new Map();
    },
  };
}
