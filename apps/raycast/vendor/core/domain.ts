// Vendored from packages/core/src/domain.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
// Plain domain types shared by every package. No behaviour here.

/** `federated`: Workload Identity Federation — the row holds no secret, only where to mint tokens (federation/). */
export const KEY_KINDS = ["api", "admin", "oauth", "federated"] as const;
export type KeyKind = (typeof KEY_KINDS)[number];

export const KEY_SOURCES = ["manual", "env", "oauth", "import"] as const;
export type KeySource = (typeof KEY_SOURCES)[number];

export const KEY_STATUSES = ["active", "disabled", "rotated"] as const;
export type KeyStatus = (typeof KEY_STATUSES)[number];

/** What the last validation against the Anthropic API concluded. */
export const VALIDATION_OUTCOMES = [
  "valid",
  "invalid",
  "forbidden",
  "rate_limited",
  "billing",
  "unverified",
] as const;
export type ValidationOutcome = (typeof VALIDATION_OUTCOMES)[number];

export const KEK_PROVIDERS = ["env", "keychain", "passphrase", "keyfile"] as const;
export type KekProviderName = (typeof KEK_PROVIDERS)[number];

/** Where a keychain-held master key lives: one entry per store creation, so concurrent creators never collide. */
export interface KeychainParams {
  name: "keychain";
  account: string;
}

export interface ScryptParams {
  name: "scrypt";
  N: number;
  r: number;
  p: number;
  /** base64 */
  salt: string;
}

/** A stored key. The secret is only ever present as ciphertext. */
export interface KeyRecord {
  id: string;
  name: string;
  profile: string;
  provider: "anthropic";
  kind: KeyKind;
  source: KeySource;
  organization: string | null;
  /**
   * The workspace the key's token is scoped to (an imported `user_oauth` login's workspace_id), sent as
   * `anthropic-workspace-id` with it; null for every other key (a federated key's is in its sealed settings).
   */
  workspace: string | null;
  status: KeyStatus;
  /** AES-256-GCM ciphertext with the 16-byte tag appended. */
  ciphertext: Uint8Array;
  nonce: Uint8Array;
  /** Masked form safe to show, e.g. `sk-ant-api03-…wxyz`. */
  hint: string;
  /** Keyed hash of the secret, for de-duplication without decrypting. */
  fingerprint: string;
  createdAt: Date;
  updatedAt: Date;
  lastUsedAt: Date | null;
  lastValidatedAt: Date | null;
  validation: ValidationOutcome | null;
  validationMessage: string | null;
  rotatedFromId: string | null;
  rotatedToId: string | null;
  upstreamId: string | null;
  monthlyBudgetUsd: number | null;
  /** What happens past the monthly budget: warn only, or refuse requests. */
  budgetMode: BudgetMode;
  /** OAuth keys only: the encrypted refresh token (AAD binds it to the row, like the secret). */
  refreshCiphertext: Uint8Array | null;
  refreshNonce: Uint8Array | null;
  /** OAuth keys only: when the access token expires. */
  expiresAt: Date | null;
  /** OAuth keys only: the provider name that issued it. */
  oauthProvider: string | null;
  /** Which associated data sealed the secret (see crypto/aead.ts): 1 = row id only (legacy), 2 = full identity. */
  seal: number;
}

/** The fields of a key row that hold its sealed secrets; a listing reads none of them (see KeyMetadata). */
export type SealedKeyField = "ciphertext" | "nonce" | "refreshCiphertext" | "refreshNonce";

/** A key row without its sealed secrets: everything a listing shows or judges (it shows no secret, so reads none). */
export type KeyMetadata = Omit<KeyRecord, SealedKeyField>;

export type BudgetMode = "warn" | "block";

/** An upstream deactivation owed after a rotation (Admin API), retried until done. */
export interface PendingDeactivation {
  id: number;
  keyId: string;
  profile: string;
  /** The old key's masked hint, matched against the organisation's `partial_key_hint`. */
  keyHint: string;
  upstreamId: string | null;
  dueAt: Date;
  state: "pending" | "done" | "failed";
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** An OAuth 2.0 provider registered by the operator. */
export interface OAuthProviderRecord {
  name: string;
  issuer: string | null;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  clientId: string;
  scopes: string[];
  keyMintingUrl: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A named secret of the store itself (e.g. the gateway token), encrypted under the DEK. */
export interface StoreSecretRecord {
  name: string;
  ciphertext: Uint8Array;
  nonce: Uint8Array;
  updatedAt: Date;
}

export interface ProfileRecord {
  name: string;
  activeKeyId: string | null;
  createdAt: Date;
}

export interface AuditEntry {
  id: number;
  at: Date;
  /** `cli:<user>@<host>`, `slack:<user id>`, `raycast:<user>` */
  actor: string;
  front: string;
  action: string;
  keyId: string | null;
  profile: string | null;
  /** Never a secret: names, outcomes, counts. */
  details: Record<string, unknown>;
}

/** The store's own metadata: it exists once the store has been created. */
export interface StoreMeta {
  createdAt: Date;
  updatedAt: Date;
}

/**
 * One master key that opens the store: the data key wrapped under it. A store may have several (the OS keychain
 * for the CLI, a device key for Raycast, APIKEY_MASTER_KEY for a server); the data key is the same in each.
 */
export interface MasterKeySlot {
  id: string;
  /** Unique per store; chosen by the person or named after the kind. */
  name: string;
  kind: KekProviderName;
  /** scrypt's parameters for a passphrase, the entry for the keychain; null otherwise. Never key material. */
  params: ScryptParams | KeychainParams | null;
  wrappedDek: Uint8Array;
  dekNonce: Uint8Array;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export const DEFAULT_PROFILE = "default";
