import { ApikeyError, ERROR_CODES, type KeyKind, type Metering, needsRefresh } from "@apikey/core";

// The profile's active key, resolved through the core's one active-key path (checks, OAuth refresh before expiry)
// and kept in memory. The gateway calls `invalidate()` whenever another process has committed to the store
// (PRAGMA data_version, checked per request), so `apikey use`, `disable` or a rotation from any process takes effect
// on the next request; the profile and key rows are otherwise re-read every `recheckMs` as a safety net, and an
// OAuth token is re-resolved (refreshed) as soon as it enters its expiry margin.

export interface ActiveKey {
  keyId: string;
  name: string;
  kind: KeyKind;
  secret: string;
  /** The workspace an imported user_oauth login's token is scoped to (sent with it, headers.ts). */
  workspace?: string | null;
  budgetUsd: number | null;
  blockOverBudget: boolean;
}

export interface ActiveKeyCache {
  current(): Promise<ActiveKey>;
  /** Forget what was read: the next `current()` resolves the active key again. */
  invalidate(): void;
  /** Drop the decrypted key (on shutdown, so it does not outlive its use longer than needed). */
  clear(): void;
}

interface Cached extends ActiveKey {
  expiresAt: Date | null;
  checkedAt: number;
}

export function activeKeyCache(core: Metering, profile: string, recheckMs = 1000): ActiveKeyCache {
  let cached: Cached | null = null;
  let loading: Promise<ActiveKey> | null = null;
  // Bumped by invalidate(): a load that started before it must not put what it read back into the cache.
  let generation = 0;

  async function load(): Promise<ActiveKey> {
    const started = generation;
    try {
      const { record, secret } = await core.activeKey(profile);
      const fresh: Cached = {
        keyId: record.id,
        name: record.name,
        kind: record.kind,
        secret,
        workspace: record.workspace,
        budgetUsd: record.monthlyBudgetUsd,
        blockOverBudget: record.budgetMode === "block",
        expiresAt: record.expiresAt,
        checkedAt: Date.now(),
      };
      if (started === generation) cached = fresh;
      return fresh;
    } catch (err) {
      if (started === generation) cached = null;
      throw err instanceof ApikeyError
        ? err
        : new ApikeyError(ERROR_CODES.INTERNAL, "Active key lookup failed.");
    }
  }

  return {
    async current() {
      const c = cached;
      if (c && Date.now() - c.checkedAt < recheckMs && !needsRefresh(c, core.now())) return c;
      // Concurrent requests after a switch (or at a refresh) share one load.
      if (!loading) {
        const promise = load().finally(() => {
          if (loading === promise) loading = null;
        });
        loading = promise;
      }
      return loading;
    },
    invalidate() {
      generation++;
      loading = null;
      cached = null;
    },
    clear() {
      cached = null;
    },
  };
}

/** One cache per profile: each token's requests use its own profile's active key. */
export interface ActiveKeys {
  current(profile: string): Promise<ActiveKey>;
  /** The API refused the key's token before it expired: forget the minted token and the profile's cached key. */
  rejected(profile: string, keyId: string): Promise<void>;
  invalidate(): void;
  clear(): void;
}

export function activeKeys(core: Metering, recheckMs = 1000): ActiveKeys {
  const byProfile = new Map<string, ActiveKeyCache>();
  return {
    current(profile) {
      let cache = byProfile.get(profile);
      if (!cache) {
        cache = activeKeyCache(core, profile, recheckMs);
        byProfile.set(profile, cache);
      }
      return cache.current();
    },
    async rejected(profile, keyId) {
      await core.forgetMinted(keyId);
      byProfile.get(profile)?.invalidate();
    },
    invalidate() {
      for (const cache of byProfile.values()) cache.invalidate();
    },
    clear() {
      for (const cache of byProfile.values()) cache.clear();
      byProfile.clear();
    },
  };
}
