import type { Store } from "@apikey/core/store";

// Another process may create, revoke or rotate a token, switch or disable a key, or set a budget. SQLite's
// data_version moves whenever another connection commits, so one cheap PRAGMA tells whether anything cached may
// be stale; only then is it dropped (and re-read by the request that needs it). `refreshMs` is a safety net for
// what data_version cannot see (this process's own connection, the turn of the month).
//
// The PRAGMA is asked at most once per turn of the event loop: under load one turn reads many requests off their
// sockets, and each PRAGMA opens a read transaction (shared-memory locks, a few system calls). Requests read in
// the same turn are concurrent with anything another process commits meanwhile; a request that arrives after
// a commit is read in a later turn, whose first check sees it.

export interface Freshness {
  /** Drops the caches when the store changed since the last check (or `refreshMs` passed). */
  check(): Promise<void>;
}

export function freshness(store: Store, refreshMs: number, onStale: () => void): Freshness {
  let seen: number | null = null;
  let checkedAt = 0;
  // This turn's check, shared by every request read in the same turn; cleared when the turn ends.
  let thisTurn: Promise<void> | null = null;
  const endTurn = () => {
    thisTurn = null;
  };

  async function check(): Promise<void> {
    const version = await store.dataVersion().catch(() => null);
    if (version !== null && version === seen && Date.now() - checkedAt < refreshMs) return;
    // Synchronous from here: every request that reads the caches after this point reads them anew.
    seen = version;
    checkedAt = Date.now();
    onStale();
  }

  return {
    check() {
      if (thisTurn === null) {
        thisTurn = check();
        setImmediate(endTurn);
      }
      return thisTurn;
    },
  };
}
