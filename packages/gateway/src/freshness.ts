import type { Store } from "@apikey/core";

// Another process may create, revoke or rotate a token, switch or disable a key, or set a budget. SQLite's
// data_version moves whenever another connection commits, so one cheap PRAGMA per request tells whether anything
// cached may be stale; only then is it dropped (and re-read by the request that needs it). `refreshMs` is a
// safety net for what data_version cannot see (this process's own connection, the turn of the month).

export interface Freshness {
  /** Drops the caches when the store changed since the last call (or `refreshMs` passed). */
  check(): Promise<void>;
}

export function freshness(store: Store, refreshMs: number, onStale: () => void): Freshness {
  let seen: number | null = null;
  let checkedAt = 0;
  return {
    async check() {
      const version = await store.dataVersion().catch(() => null);
      if (version !== null && version === seen && Date.now() - checkedAt < refreshMs) return;
      // Synchronous from here: every request that reads the caches after this point reads them anew.
      seen = version;
      checkedAt = Date.now();
      onStale();
    },
  };
}
