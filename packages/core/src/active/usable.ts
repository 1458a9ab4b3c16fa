import { SEAL_VERSION } from "../crypto/aead.ts";
import type { KeyKind, KeyStatus } from "../domain.ts";
import { REFRESH_MARGIN_MS } from "../oauth/margin.ts";

// "Can the profile's active key be handed out as it is?" — written once. The full active-key path (active-key.ts)
// acts on each reason (refuses, refreshes, re-seals); the CLI's hot path (`apikey current`) hands the key out only
// when there is no reason at all and leaves every other case to the full path. Kept small and free of heavy imports:
// the hot path loads it.

/** What the rule reads of a key row. Times in ms since the epoch, so both a KeyRecord and a raw row fit. */
export interface ActiveKeyFacts {
  profile: string;
  status: KeyStatus;
  kind: KeyKind;
  /** The seal version of the row's ciphertext (crypto/aead.ts). */
  seal: number;
  /** When an OAuth access token expires; null when the key does not expire. */
  expiresAt: number | null;
}

/**
 * Why the key is not usable without a decision, in the order the full path deals with them:
 * - other_profile: the profile points at another profile's key (only an edit outside apikey does that): refused;
 * - not_active: disabled or rotated: refused;
 * - refresh_due: an OAuth token that expires within the margin: refreshed first;
 * - seal_version: a row sealed by an older version: the unlock re-seals it;
 * - mint: a federated key holds no secret to hand out: a token is minted from its settings (federation/).
 */
export type NotUsableReason = "other_profile" | "not_active" | "refresh_due" | "seal_version" | "mint";

export function whyNotUsable(key: ActiveKeyFacts, profile: string, now: number): NotUsableReason | null {
  if (key.profile !== profile) return "other_profile";
  if (key.status !== "active") return "not_active";
  if (refreshDue(key, now)) return "refresh_due";
  if (key.seal !== SEAL_VERSION) return "seal_version";
  if (key.kind === "federated") return "mint";
  return null;
}

/** The boolean twin of whyNotUsable. */
export function usableWithoutDecision(key: ActiveKeyFacts, profile: string, now: number): boolean {
  return whyNotUsable(key, profile, now) === null;
}

/** True when an OAuth key's access token expires within the margin (a key without an expiry never does). */
export function refreshDue(key: Pick<ActiveKeyFacts, "kind" | "expiresAt">, now: number): boolean {
  return key.kind === "oauth" && key.expiresAt !== null && key.expiresAt - now <= REFRESH_MARGIN_MS;
}

/** refreshDue over a KeyRecord and a Date, as the gateway's cache and the OAuth code hold them. */
export function needsRefresh(key: { kind: KeyKind; expiresAt: Date | null }, now: Date): boolean {
  return refreshDue({ kind: key.kind, expiresAt: key.expiresAt?.getTime() ?? null }, now.getTime());
}
