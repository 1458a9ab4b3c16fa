import { SEAL_VERSION, type SealIdentity } from "../crypto/aead.ts";
import { encryptSecret } from "../crypto/data-key.ts";
import type { KeyRecord } from "../domain.ts";
import { maskKey } from "../key-format.ts";
import type { ValidationResult } from "../validate/classify.ts";

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
    workspace: null,
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

/**
 * A new key's secret-bearing fields: the secret sealed to the row's identity, its masked hint and fingerprint, and
 * the validation just made (if any). Shared by add, rotation and every other path that stores a new secret.
 */
export function secretFields(
  dek: Uint8Array,
  identity: SealIdentity,
  secret: string,
  fingerprint: string,
  validation: ValidationResult | null,
  now: Date,
) {
  const sealed = encryptSecret(dek, identity, secret);
  return {
    id: identity.id,
    ciphertext: sealed.ciphertext,
    nonce: sealed.nonce,
    seal: SEAL_VERSION,
    hint: maskKey(secret),
    fingerprint,
    createdAt: now,
    lastValidatedAt: validation ? now : null,
    validation: validation?.outcome ?? null,
    validationMessage: validation?.message ?? null,
  };
}
