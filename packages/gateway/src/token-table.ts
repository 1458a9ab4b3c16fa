import type { GatewayTokenRecord, TokenHasher } from "@apikey/core";
import type { Store } from "@apikey/core/store";

// Every gateway token of the store, in memory, by keyed hash: a request's token is checked without touching the
// store. The gateway calls `invalidate()` when another process has committed (a token created, revoked, rotated
// or changed elsewhere applies to the next request); a token not found also reloads the table, at most once a
// second, for tokens made through this process's own connection (whose commits do not move data_version).

export interface TokenEntry {
  id: string;
  name: string;
  profile: string | null;
  models: readonly string[] | null;
  budgetUsd: number | null;
  blockOverBudget: boolean;
  /** Epoch ms, or null. */
  expiresAt: number | null;
  revoked: boolean;
}

export interface TokenTable {
  /** The entry for a presented token; null when no token (live or revoked) has its hash. */
  find(presented: string): Promise<TokenEntry | null>;
  invalidate(): void;
}

const entry = (t: GatewayTokenRecord): TokenEntry => ({
  id: t.id,
  name: t.name,
  profile: t.profile,
  models: t.models,
  budgetUsd: t.monthlyBudgetUsd,
  blockOverBudget: t.budgetMode === "block",
  expiresAt: t.expiresAt?.getTime() ?? null,
  revoked: t.revokedAt !== null,
});

/** Tokens recently seen, kept as presented: a hit costs one map lookup instead of an HMAC. */
const MAX_REMEMBERED = 4096;

export function tokenTable(store: Store, hash: TokenHasher): TokenTable {
  let byHash: Map<string, TokenEntry> | null = null;
  // Only tokens that matched go in, so a client guessing tokens cannot grow it; dropped with the table.
  const seen = new Map<string, TokenEntry>();
  let loading: Promise<Map<string, TokenEntry>> | null = null;
  let generation = 0;
  let lastMissReload = 0;

  function load(): Promise<Map<string, TokenEntry>> {
    if (loading) return loading;
    const started = generation;
    const promise = store.tokens.list({ includeRevoked: true }).then((rows) => {
      const map = new Map<string, TokenEntry>();
      for (const t of rows) map.set(t.hash, entry(t));
      if (started === generation) byHash = map;
      return map;
    });
    loading = promise;
    const done = () => {
      if (loading === promise) loading = null;
    };
    promise.then(done, done);
    return promise;
  }

  return {
    async find(presented) {
      if (byHash !== null) {
        const hit = seen.get(presented);
        if (hit) return hit;
      }
      const started = generation;
      const h = hash(presented);
      const found = (byHash ?? (await load())).get(h);
      if (found) {
        // Read from a table that was dropped meanwhile: answer this request, but do not remember it.
        if (started === generation) {
          if (seen.size >= MAX_REMEMBERED) seen.clear();
          seen.set(presented, found);
        }
        return found;
      }
      if (Date.now() - lastMissReload < 1000) return null;
      lastMissReload = Date.now();
      generation++;
      byHash = null;
      seen.clear();
      return (await load()).get(h) ?? null;
    },
    invalidate() {
      generation++;
      byHash = null;
      loading = null;
      seen.clear();
    },
  };
}
