import { ApikeyError, ERROR_CODES, type KeyKind, type Vault } from "@apikey/core";
import { decryptSecret } from "@apikey/core/crypto";

// The profile's active key, decrypted once and kept in memory. The gateway calls `invalidate()` whenever another
// process has committed to the store (PRAGMA data_version, checked per request), so `apikey use`, `disable` or a
// rotation from any process takes effect on the next request; the profile and key rows are otherwise re-read
// every `recheckMs` as a safety net.

export interface ActiveKey {
  keyId: string;
  name: string;
  kind: KeyKind;
  secret: string;
}

export interface ActiveKeyCache {
  current(): Promise<ActiveKey>;
  /** Forget what was read: the next `current()` reads the profile and the key row again. */
  invalidate(): void;
  /** Drop the decrypted key (on shutdown, so it does not outlive its use longer than needed). */
  clear(): void;
}

export function activeKeyCache(vault: Vault, profile: string, recheckMs = 1000): ActiveKeyCache {
  let cached: (ActiveKey & { updatedAt: number; checkedAt: number }) | null = null;
  let activeKeyId: string | null | undefined;
  let profileReadAt = 0;
  let loading: { keyId: string; promise: Promise<ActiveKey> } | null = null;
  // Bumped by invalidate(): a load that started before it must not put what it read back into the cache.
  let generation = 0;

  async function load(keyId: string): Promise<ActiveKey> {
    const started = generation;
    const key = await vault.store.keys.byId(keyId);
    if (!key) throw noActiveKey(profile);
    if (key.status !== "active") {
      cached = null;
      throw new ApikeyError(ERROR_CODES.KEY_DISABLED, `The active key "${key.name}" is ${key.status}.`, {
        hint: "Enable it, or pick another with `apikey use NAME`.",
      });
    }
    if (cached?.keyId === key.id && cached.updatedAt === key.updatedAt.getTime()) {
      if (started === generation) cached.checkedAt = Date.now();
      return cached;
    }
    const secret = decryptSecret(await vault.unlock(), key);
    const fresh = {
      keyId: key.id,
      name: key.name,
      kind: key.kind,
      secret,
      updatedAt: key.updatedAt.getTime(),
      checkedAt: Date.now(),
    };
    if (started === generation) cached = fresh;
    return fresh;
  }

  return {
    async current() {
      if (activeKeyId === undefined || Date.now() - profileReadAt >= recheckMs) {
        profileReadAt = Date.now();
        activeKeyId = (await vault.store.profiles.get(profile))?.activeKeyId;
      }
      const keyId = activeKeyId;
      if (!keyId) throw noActiveKey(profile);
      if (cached?.keyId === keyId && Date.now() - cached.checkedAt < recheckMs) return cached;
      // Concurrent requests after a switch share one load.
      if (loading?.keyId !== keyId) {
        const promise = load(keyId).finally(() => {
          if (loading?.promise === promise) loading = null;
        });
        loading = { keyId, promise };
      }
      return loading.promise;
    },
    invalidate() {
      generation++;
      activeKeyId = undefined;
      loading = null;
      if (cached) cached.checkedAt = 0;
    },
    clear() {
      cached = null;
    },
  };
}

function noActiveKey(profile: string): ApikeyError {
  return new ApikeyError(ERROR_CODES.NO_ACTIVE_KEY, `Profile "${profile}" has no active key.`, {
    hint: "Pick one with `apikey use NAME`.",
  });
}
