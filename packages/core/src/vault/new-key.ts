import { SEAL_VERSION } from "../crypto/aead.ts";
import type { KeyRecord } from "../domain.ts";

/** What every new key must say; everything else starts empty. */
export type NewKeyFields = Pick<
  KeyRecord,
  | "id"
  | "name"
  | "profile"
  | "kind"
  | "source"
  | "ciphertext"
  | "nonce"
  | "hint"
  | "fingerprint"
  | "createdAt"
> &
  Partial<KeyRecord>;

/** A fresh key row with the defaults in one place, so adding a column means editing one function. */
export function newKeyRecord(fields: NewKeyFields): KeyRecord {
  return {
    provider: "anthropic",
    organization: null,
    status: "active",
    updatedAt: fields.createdAt,
    lastUsedAt: null,
    lastValidatedAt: null,
    validation: null,
    validationMessage: null,
    rotatedFromId: null,
    rotatedToId: null,
    upstreamId: null,
    monthlyBudgetUsd: null,
    budgetMode: "warn",
    refreshCiphertext: null,
    refreshNonce: null,
    expiresAt: null,
    oauthProvider: null,
    // The caller sealed the secret with encryptSecret, which always uses the current version.
    seal: SEAL_VERSION,
    ...fields,
  };
}
