import type { UsageWindow } from "@apikey/core";
import { monthWindow } from "@apikey/core";

// Month-to-date spend per key or per token, kept in memory: summing the month on every request would cost more
// than the forwarding itself at thousands of requests a second. Each recorded cost is added as it happens; the
// figure is re-read when another process has committed to the store (the gateway calls `invalidate()`), and
// every `refreshMs` (which also carries it over the turn of the month).

export interface SpendCache {
  /** Spend this UTC month; reads the store only when the cached figure is missing or older than `refreshMs`. */
  spent(id: string): Promise<number>;
  /** The figure in memory now (no read): what a decision made in one synchronous step compares. */
  cached(id: string): number | undefined;
  /** A cost just committed here. */
  add(id: string, costUsd: number | null): void;
  invalidate(): void;
}

interface Entry {
  spent: number;
  readAt: number;
}

export function spendCache(
  read: (window: UsageWindow, id: string) => Promise<number>,
  now: () => Date,
  refreshMs = 2000,
): SpendCache {
  const entries = new Map<string, Entry>();
  let loading = new Map<string, Promise<Entry>>();
  // Costs committed here while a read of the same id was under way: that read may have missed them, so they are
  // added to what it returns (counting one twice until the next refresh errs on the side a budget can live with).
  let addedWhileLoading = new Map<string, number>();
  // Bumped by invalidate(): a read that started before it must not be cached.
  let generation = 0;

  function load(id: string): Promise<Entry> {
    let p = loading.get(id);
    if (!p) {
      const started = generation;
      const pending = loading;
      const added = addedWhileLoading;
      added.set(id, 0);
      p = read(monthWindow(now()), id)
        .then((spent) => {
          const entry = { spent: spent + (added.get(id) ?? 0), readAt: Date.now() };
          if (started === generation) entries.set(id, entry);
          return entry;
        })
        .finally(() => {
          pending.delete(id);
          added.delete(id);
        });
      loading.set(id, p);
    }
    return p;
  }

  return {
    async spent(id) {
      let entry = entries.get(id);
      if (!entry || Date.now() - entry.readAt >= refreshMs) entry = await load(id);
      return entry.spent;
    },
    cached: (id) => entries.get(id)?.spent,
    add(id, costUsd) {
      if (costUsd === null || !Number.isFinite(costUsd) || costUsd <= 0) return;
      const entry = entries.get(id);
      if (entry) entry.spent += costUsd;
      const pending = addedWhileLoading.get(id);
      if (pending !== undefined) addedWhileLoading.set(id, pending + costUsd);
    },
    invalidate() {
      generation++;
      entries.clear();
      loading = new Map();
      addedWhileLoading = new Map();
    },
  };
}
