import { ApikeyError, ERROR_CODES, type KeyKind, type Vault } from "@apikey/core";
import { decryptSecret } from "@apikey/core/crypto";

// The profile's active key, decrypted once and kept in memory. Each request asks SQLite only whether another
// process has committed since the last look (PRAGMA data_version); only then is the profile re-read, so
// `apikey use` from any process takes effect on the next request. The key row itself (disabled? replaced?) is
// re-read every `recheckMs` as well.

export interface ActiveKey {
  keyId: string;
  name: string;
  kind: KeyKind;
  secret: string;
}

export interface ActiveKeyCache {
  current(): Promise<ActiveKey>;
  /** Drop the decrypted key (on shutdown, so it does not outlive its use longer than needed). */
  clear(): void;
}

export function activeKeyCache(vault: Vault, profile: string, recheckMs = 1000): ActiveKeyCache {
  let cached: (ActiveKey & { updatedAt: number; checkedAt: number }) | null = null;
  let seenVersion = -1;
  let activeKeyId: string | null | undefined;
  let loading: { keyId: string; promise: Promise<ActiveKey> } | null = null;

  async function load(keyId: string): Promise<ActiveKey> {
    const key = await vault.store.keys.byId(keyId);
    if (!key) throw noActiveKey(profile);
    if (key.status !== "active") {
      cached = null;
      throw new ApikeyError(ERROR_CODES.KEY_DISABLED, `The active key "${key.name}" is ${key.status}.`, {
        hint: "Enable it, or pick another with `apikey use NAME`.",
      });
    }
    if (cached?.keyId === key.id && cached.updatedAt === key.updatedAt.getTime()) {
      cached.checkedAt = Date.now();
      return cached;
    }
    const secret = decryptSecret(await vault.unlock(), key);
    cached = {
      keyId: key.id,
      name: key.name,
      kind: key.kind,
      secret,
      updatedAt: key.updatedAt.getTime(),
      checkedAt: Date.now(),
    };
    return cached;
  }

  return {
    async current() {
      const version = await vault.store.dataVersion();
      if (
        version !== seenVersion ||
        activeKeyId === undefined ||
        Date.now() - (cached?.checkedAt ?? 0) >= recheckMs
      ) {
        activeKeyId = (await vault.store.profiles.get(profile))?.activeKeyId;
        seenVersion = version;
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
