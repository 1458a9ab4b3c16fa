// Vendored from packages/core/src/active/active-key.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { decryptSecret } from "../crypto/data-key.ts";
import { DEFAULT_PROFILE, type KeyRecord } from "../domain.ts";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { REFRESH_MARGIN_MS } from "../oauth/margin.ts";
import type { Store } from "../store.ts";
import type { Session } from "../vault/session.ts";
import { type KeyView, toView } from "../vault/views.ts";
import { shouldRecordUse } from "./last-used.ts";

// "The profile's active key" — written once. `current`, `env`, `exec`, the gateway, the instrumented client and the
// fronts all come through here, so the checks (profile, pointer, status), the OAuth refresh before expiry and the
// last-used bookkeeping are the same everywhere. The CLI's hot path keeps its lean read but defers every case that
// needs a decision (OAuth, legacy seals, anything odd) to this code.

export interface ActiveKey {
  record: KeyRecord;
  key: KeyView;
  secret: string;
}

export interface ResolveOptions {
  /** Record the use (last_used_at). The gateway and the client record usage events instead. Default true. */
  touch?: boolean;
}

/** True when an OAuth key's access token expires within the margin (a key without an expiry never does). */
export function needsRefresh(key: Pick<KeyRecord, "kind" | "expiresAt">, now: Date): boolean {
  return (
    key.kind === "oauth" &&
    key.expiresAt !== null &&
    key.expiresAt.getTime() - now.getTime() <= REFRESH_MARGIN_MS
  );
}

export async function resolveActiveKey(
  vault: Session,
  profile: string = DEFAULT_PROFILE,
  options: ResolveOptions = {},
): Promise<ActiveKey> {
  let record = await readActive(vault.store, profile, vault.config.envApiKey !== undefined);
  if (needsRefresh(record, vault.now())) {
    // OAuth code loads only when a token is about to expire.
    const { ensureFreshToken } = await import("../oauth/refresh.ts");
    await ensureFreshToken(vault, record.name, profile);
    record = await readActive(vault.store, profile, false);
  }
  const secret = decryptSecret(await vault.unlock(), record);
  const now = vault.now();
  if (options.touch !== false && shouldRecordUse(record.lastUsedAt?.getTime() ?? null, now.getTime())) {
    await vault.store.keys.touchLastUsed(record.id, now);
    record = { ...record, lastUsedAt: now };
  }
  return { record, key: toView(record, record.id), secret };
}

/** The active key's row, refused with the reason when there is none or it may not be used. */
async function readActive(store: Store, profile: string, envKeyPresent: boolean): Promise<KeyRecord> {
  const p = await store.profiles.get(profile);
  if (!p && profile !== DEFAULT_PROFILE) {
    throw new ApikeyError(ERROR_CODES.PROFILE_NOT_FOUND, `No profile named "${profile}".`, {
      details: { profile },
    });
  }
  const key = p?.activeKeyId ? await store.keys.byId(p.activeKeyId) : null;
  if (!key) {
    throw new ApikeyError(ERROR_CODES.NO_ACTIVE_KEY, `Profile "${profile}" has no active key.`, {
      details: { profile, envKeyPresent },
    });
  }
  // Only an edit outside apikey points a profile at another profile's key.
  if (key.profile !== profile) {
    throw new ApikeyError(
      ERROR_CODES.STORE_CORRUPT,
      `Profile "${profile}" points at a key of another profile.`,
      {
        details: { profile },
      },
    );
  }
  if (key.status !== "active") {
    throw new ApikeyError(ERROR_CODES.KEY_DISABLED, `Key "${key.name}" is ${key.status}.`, {
      details: { key: key.name, profile, status: key.status },
    });
  }
  return key;
}
