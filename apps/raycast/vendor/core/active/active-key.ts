// Vendored from packages/core/src/active/active-key.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { apiKeyVariables, type KeyVariables } from "../child-env.ts";
import { decryptSecret } from "../crypto/data-key.ts";
import { DEFAULT_PROFILE, type KeyRecord } from "../domain.ts";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { workspaceHeader } from "../oauth-bearer.ts";
import type { Store } from "../store.ts";
import type { Session } from "../vault/session.ts";
import { type KeyView, toView } from "../vault/views.ts";
import { shouldRecordUse } from "./last-used.ts";
import { type ActiveKeyFacts, type NotUsableReason, needsRefresh, whyNotUsable } from "./usable.ts";

export { needsRefresh };

// "The profile's active key" — written once. `current`, `env`, `exec`, the gateway, the instrumented client and the
// fronts all come through here, so the checks, the OAuth refresh before expiry and the last-used bookkeeping are the
// same everywhere. Whether a key may be handed out as it is is decided by usable.ts, which the CLI's hot path shares:
// it answers only when that rule finds nothing to decide and defers every other case to this code.

export interface ActiveKey {
  record: KeyRecord;
  key: KeyView;
  /** The key itself; for a federated key, a token minted for it (valid for minutes). */
  secret: string;
  /** What a child process or a shell is given for this key (child-env.ts); never the store's master key. */
  variables: KeyVariables & { secrets: string[] };
}

export interface ResolveOptions {
  /** Record the use (last_used_at). The gateway and the client record usage events instead. Default true. */
  touch?: boolean;
}

export async function resolveActiveKey(
  vault: Session,
  profile: string = DEFAULT_PROFILE,
  options: ResolveOptions = {},
): Promise<ActiveKey> {
  let record = await readActive(vault.store, profile, vault.config.envApiKey !== undefined);
  if (refuseOrAct(record, profile, vault.now()) === "refresh_due") {
    // OAuth code loads only when a token is about to expire.
    const { ensureFreshToken } = await import("../oauth/refresh.ts");
    await ensureFreshToken(vault, record.name, profile);
    record = await readActive(vault.store, profile, false);
    refuseOrAct(record, profile, vault.now());
  }
  // A row of an older seal version needs nothing here: the unlock re-seals it (vault.unlock) and the record read
  // before that still decrypts under its own version.
  const decrypted = decryptSecret(await vault.unlock(), record);
  let secret = decrypted;
  const carried = apiKeyVariables(decrypted);
  const headers = { ...carried.headers, ...workspaceHeader(record) };
  let variables: ActiveKey["variables"] = {
    ...carried,
    ...(Object.keys(headers).length > 0 && { headers }),
    secrets: [decrypted],
  };
  if (record.kind === "federated") {
    // A federated key's "secret" is its settings; what is handed out is a token minted from them (SDK loaded lazily).
    const federated = await (await import("../federation/use.ts")).federatedUse(vault, record.id, decrypted);
    secret = federated.token;
    variables = federated.variables;
  }
  const now = vault.now();
  if (options.touch !== false && shouldRecordUse(record.lastUsedAt?.getTime() ?? null, now.getTime())) {
    await vault.store.keys.touchLastUsed(record.id, now);
    record = { ...record, lastUsedAt: now };
  }
  return { record, key: toView(record, record.id), secret, variables };
}

/** The profile's active key and its secret, refreshing an OAuth token first when it is about to expire. */
export async function freshActiveSecret(
  vault: Session,
  profile = DEFAULT_PROFILE,
): Promise<Pick<ActiveKey, "key" | "secret" | "variables">> {
  const { key, secret, variables } = await resolveActiveKey(vault, profile);
  return { key, secret, variables };
}

export function factsOf(key: KeyRecord): ActiveKeyFacts {
  return {
    profile: key.profile,
    status: key.status,
    kind: key.kind,
    seal: key.seal,
    expiresAt: key.expiresAt?.getTime() ?? null,
  };
}

/** Throws for the reasons that refuse the key; returns the reason left to act on (or null). */
function refuseOrAct(key: KeyRecord, profile: string, now: Date): NotUsableReason | null {
  const reason = whyNotUsable(factsOf(key), profile, now.getTime());
  if (reason === "other_profile") {
    throw new ApikeyError(
      ERROR_CODES.STORE_CORRUPT,
      `Profile "${profile}" points at a key of another profile.`,
      {
        details: { profile },
      },
    );
  }
  if (reason === "not_active") {
    throw new ApikeyError(ERROR_CODES.KEY_DISABLED, `Key "${key.name}" is ${key.status}.`, {
      details: { key: key.name, profile, status: key.status },
    });
  }
  return reason;
}

/** The active key's row, refused when the profile or its pointer is missing. */
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
  return key;
}
