import type { UsageWindow } from "@apikey/core/usage";
import { monthWindow } from "@apikey/core/usage";

// Month-to-date spend per key or per token, kept in memory: summing the month on every request would cost more
// than the forwarding itself at thousands of requests a second. Each recorded cost is added as it happens; the
// figure is re-read when another process has committed to the store (the gateway calls `invalidate()`), and
// every `refreshMs` (which also carries it over the turn of the month).

export interface SpendCache {
  /** Spend this UTC month; reads the store only when the cached figure is missing or older than `refreshMs`. */
  spent(id: string): Promise<number>;
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
  // Bumped by invalidate(): a read that started before it must not be cached.
  let generation = 0;

  function load(id: string): Promise<Entry> {
    let p = loading.get(id);
    if (!p) {
      const started = generation;
      const pending = loading;
      p = read(monthWindow(now()), id)
        .then((spent) => {
          const entry = { spent, readAt: Date.now() };
          if (started === generation) entries.set(id, entry);
          return entry;
        })
        .finally(() => pending.delete(id));
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
    add(id, costUsd) {
      const entry = entries.get(id);
      if (entry && costUsd !== null && Number.isFinite(costUsd) && costUsd > 0) entry.spent += costUsd;
    },
    invalidate() {
      generation++;
      entries.clear();
      loading = new Map();
    },
  };
}
