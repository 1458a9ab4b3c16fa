import { resolveActiveKey } from "../active/active-key.ts";
import type { Config } from "../config.ts";
import type { KeyRecord } from "../domain.ts";
import type { Store } from "../store.ts";
import { adoptLegacyToken } from "../tokens/admin.ts";
import { type TokenHasher, tokenHasher } from "../tokens/hash.ts";
import { keySpend } from "../usage/month-spend.ts";
import { getProfile } from "../vault/profiles.ts";
import type { Session } from "../vault/session.ts";

// What a metering front (the local gateway, the instrumented SDK client) may do, and nothing more: resolve a
// profile's active key through the one active-key path, hash presented gateway tokens, and read spend and record
// usage in the store. It never gets the data key, the use cases or the audit trail: it is `app.metering`, not the
// session behind the app.

export interface Metering {
  readonly config: Config;
  /** Gateway tokens, usage events and spend, and the change counter; no secret can be opened without the data key. */
  readonly store: Store;
  now(): Date;
  /** Tells the person something they should know (a budget at 80 %, usage that could not be recorded). */
  warn(message: string): void;
  /** The profile's active key's name, null when it has none; E_PROFILE_NOT_FOUND for an unknown profile. */
  activeKeyName(profile: string): Promise<string | null>;
  /** The one active-key path (checks, OAuth refresh before expiry), without marking the use: usage events do. */
  activeKey(profile: string): Promise<{ record: KeyRecord; secret: string }>;
  /** Forgets the token minted for a federated key (the API refused it early): the next use mints afresh. */
  forgetMinted(keyId: string): Promise<void>;
  /** A key's spend over a window: the larger of recorded and reported (usage/month-spend.ts), as budgets count it. */
  keySpend(window: { since: Date; until?: Date }, keyId: string): Promise<number>;
  /** Hashes presented gateway tokens with the store's key, once a pre-0004 store's single token is adopted. */
  tokenHasher(): Promise<TokenHasher>;
}

export function meteringFor(session: Session): Metering {
  return {
    config: session.config,
    store: session.store,
    now: () => session.now(),
    warn: (message) => session.warn(message),
    activeKeyName: async (profile) => (await getProfile(session, profile)).activeKey,
    activeKey: async (profile) => {
      const { record, secret } = await resolveActiveKey(session, profile, { touch: false });
      return { record, secret };
    },
    forgetMinted: async (keyId) => (await import("../federation/mint.ts")).forgetFederatedToken(keyId),
    keySpend: async (window, keyId) => (await keySpend(session.store, window, keyId)).spentUsd,
    tokenHasher: async () => {
      // A store from before per-person tokens keeps its one token working, as `default`.
      await adoptLegacyToken(session);
      return tokenHasher(await session.unlock());
    },
  };
}
