// Vendored from packages/storage/src/schema.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { sql } from "drizzle-orm";
import {
  type AnySQLiteColumn,
  blob,
  check,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

export { usageReportedDaily } from "./schema-reported-daily.ts";

// Timestamps are integer milliseconds; secrets only ever appear as ciphertext blobs.

export const profiles = sqliteTable("profiles", {
  name: text("name").primaryKey(),
  // keys -> profiles and profiles -> keys form a cycle; SQLite resolves FK targets lazily, so both tables can be
  // created in either order. The explicit return type breaks the TypeScript inference cycle.
  activeKeyId: text("active_key_id").references((): AnySQLiteColumn => keys.id, { onDelete: "set null" }),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
});

export const keys = sqliteTable(
  "keys",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    profile: text("profile")
      .notNull()
      .references((): AnySQLiteColumn => profiles.name, { onDelete: "restrict" }),
    provider: text("provider", { enum: ["anthropic"] }).notNull(),
    kind: text("kind", { enum: ["api", "admin", "oauth", "federated"] }).notNull(),
    source: text("source", { enum: ["manual", "env", "oauth", "import"] }).notNull(),
    organization: text("organization"),
    workspace: text("workspace"),
    status: text("status", { enum: ["active", "disabled", "rotated"] }).notNull(),
    ciphertext: blob("ciphertext", { mode: "buffer" }).notNull(),
    nonce: blob("nonce", { mode: "buffer" }).notNull(),
    hint: text("hint").notNull(),
    fingerprint: text("fingerprint").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
    lastUsedAt: integer("last_used_at", { mode: "timestamp_ms" }),
    lastValidatedAt: integer("last_validated_at", { mode: "timestamp_ms" }),
    validation: text("validation", {
      enum: ["valid", "invalid", "forbidden", "rate_limited", "billing", "unverified"],
    }),
    validationMessage: text("validation_message"),
    rotatedFromId: text("rotated_from_id"),
    rotatedToId: text("rotated_to_id"),
    upstreamId: text("upstream_id"),
    monthlyBudgetUsd: real("monthly_budget_usd"),
    // "warn" only warns past the budget; "block" makes the gateway and clients refuse requests.
    budgetMode: text("budget_mode", { enum: ["warn", "block"] })
      .notNull()
      .default("warn"),
    // OAuth keys: the refresh token (encrypted like the secret), when the access token expires, and which
    // operator-configured provider issued it.
    refreshCiphertext: blob("refresh_ciphertext", { mode: "buffer" }),
    refreshNonce: blob("refresh_nonce", { mode: "buffer" }),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }),
    oauthProvider: text("oauth_provider"),
    // Which associated data sealed the secret: 1 = the row id only (stores before 0003, re-sealed at the first
    // unlock), 2 = id, profile, name and kind, so an edited row fails to decrypt.
    seal: integer("seal").notNull().default(1),
  },
  (t) => [
    // Partial: a rotated key keeps its name beside its successor.
    uniqueIndex("keys_profile_name_live_uq").on(t.profile, t.name).where(sql`status != 'rotated'`),
    uniqueIndex("keys_fingerprint_uq").on(t.fingerprint),
    index("keys_profile_idx").on(t.profile),
  ],
);

export const usageEvents = sqliteTable(
  "usage_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    keyId: text("key_id")
      .notNull()
      .references(() => keys.id, { onDelete: "cascade" }),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    model: text("model").notNull(),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    cacheCreationTokens: integer("cache_creation_tokens").notNull().default(0),
    cacheReadTokens: integer("cache_read_tokens").notNull().default(0),
    costUsd: real("cost_usd"),
    requestId: text("request_id"),
    front: text("front").notNull(),
    // The gateway token (null: none, or before 0004; its index is partial, 0007). No FK: revoked tokens keep theirs.
    tokenId: text("token_id"),
  },
  (t) => [
    index("usage_events_key_at_idx").on(t.keyId, t.at),
    index("usage_events_at_idx").on(t.at),
    index("usage_events_token_at_idx").on(t.tokenId, t.at).where(sql`token_id IS NOT NULL`),
  ],
);

/**
 * Gateway tokens, one per person or app. Only a keyed hash of each token is stored (HMAC-SHA256 under a key
 * derived from the data key): a stolen database yields no usable token and no way to test guesses.
 */
export const gatewayTokens = sqliteTable(
  "gateway_tokens",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    // null: the profile the gateway was started with (the `default` token, as before tokens had profiles).
    profile: text("profile").references((): AnySQLiteColumn => profiles.name, { onDelete: "cascade" }),
    hash: text("hash").notNull(),
    monthlyBudgetUsd: real("monthly_budget_usd"),
    budgetMode: text("budget_mode", { enum: ["warn", "block"] })
      .notNull()
      .default("warn"),
    // JSON array of model ids (a trailing * matches a prefix); null: any model.
    models: text("models"),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
    lastUsedAt: integer("last_used_at", { mode: "timestamp_ms" }),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    // Partial: a revoked token keeps its row (its usage points at it) and frees its name.
    uniqueIndex("gateway_tokens_name_live_uq").on(t.name).where(sql`revoked_at IS NULL`),
    uniqueIndex("gateway_tokens_hash_uq").on(t.hash),
  ],
);

/**
 * usage_events summed per UTC day, key and model, kept in the same transaction as every event insert: reports and
 * budget checks over whole days read this instead of scanning the events. `day` is floor(at / 86_400_000).
 * Drizzle 0.45 cannot declare WITHOUT ROWID, so this is an ordinary table with a composite primary key.
 */
export const usageDaily = sqliteTable(
  "usage_daily",
  {
    day: integer("day").notNull(),
    keyId: text("key_id")
      .notNull()
      .references(() => keys.id, { onDelete: "cascade" }),
    model: text("model").notNull(),
    requests: integer("requests").notNull(),
    inputTokens: integer("input_tokens").notNull(),
    outputTokens: integer("output_tokens").notNull(),
    cacheCreationTokens: integer("cache_creation_tokens").notNull(),
    cacheReadTokens: integer("cache_read_tokens").notNull(),
    // Priced events only; unpriced ones add 0 here and 1 to unpriced_requests.
    costUsd: real("cost_usd").notNull(),
    unpricedRequests: integer("unpriced_requests").notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.keyId, t.model] })],
);

/**
 * Usage as Anthropic's usage report states it (issue 24), one row per organization key, model and bucket; kept apart
 * from usage_events, which is what apikey recorded itself. A re-synced range replaces its rows.
 */
export const usageReported = sqliteTable(
  "usage_reported",
  {
    org: text("org").notNull(),
    // "" for the Console's Workbench, which reports no key id.
    orgKeyId: text("org_key_id").notNull(),
    model: text("model").notNull(),
    bucketStart: integer("bucket_start", { mode: "timestamp_ms" }).notNull(),
    bucketMinutes: integer("bucket_minutes").notNull(),
    // No FK on purpose: usage reported on a key deleted here is exactly what must stay visible.
    keyId: text("key_id"),
    uncachedInputTokens: integer("uncached_input_tokens").notNull(),
    cacheCreation5mTokens: integer("cache_creation_5m_tokens").notNull(),
    cacheCreation1hTokens: integer("cache_creation_1h_tokens").notNull(),
    cacheReadTokens: integer("cache_read_tokens").notNull(),
    outputTokens: integer("output_tokens").notNull(),
    webSearchRequests: integer("web_search_requests").notNull(),
    costUsd: real("cost_usd"),
    syncedAt: integer("synced_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.org, t.bucketStart, t.orgKeyId, t.model] }),
    index("usage_reported_key_bucket_idx").on(t.keyId, t.bucketStart),
  ],
);

export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    actor: text("actor").notNull(),
    front: text("front").notNull(),
    action: text("action").notNull(),
    // No FK on purpose: the audit trail outlives the keys it mentions.
    keyId: text("key_id"),
    profile: text("profile"),
    details: text("details").notNull(),
  },
  (t) => [index("audit_log_at_idx").on(t.at), index("audit_log_key_id_idx").on(t.keyId)],
);

/** The store exists once this row does. How its data key is wrapped lives in master_key_slots. */
export const storeMeta = sqliteTable(
  "store_meta",
  {
    id: integer("id").primaryKey(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  () => [check("store_meta_single_row", sql`id = 1`)],
);

/**
 * Master-key slots (like LUKS key slots): the same data key wrapped by each master key that may open the store —
 * the OS keychain for the CLI, a device key for Raycast, APIKEY_MASTER_KEY for a server, a passphrase.
 */
export const masterKeySlots = sqliteTable("master_key_slots", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  kind: text("kind", { enum: ["env", "keychain", "passphrase", "keyfile"] }).notNull(),
  // scrypt's parameters for a passphrase, the entry for the keychain; JSON, never key material.
  params: text("params"),
  wrappedDek: blob("wrapped_dek", { mode: "buffer" }).notNull(),
  dekNonce: blob("dek_nonce", { mode: "buffer" }).notNull(),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  lastUsedAt: integer("last_used_at", { mode: "timestamp_ms" }),
});

/**
 * "Done once" marks shared by every process on the store: a Slack request already executed, a reminder already
 * posted. Claiming inserts the name; a second claim of the same name finds it and loses.
 */
export const marks = sqliteTable(
  "marks",
  {
    name: text("name").primaryKey(),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("marks_at_idx").on(t.at)],
);

/** Upstream deactivations owed after a rotation; they survive restarts and are retried by `rotate --finish`. */
export const pendingDeactivations = sqliteTable(
  "pending_deactivations",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    // No FK: the old key may be deleted locally before Anthropic has deactivated it.
    keyId: text("key_id").notNull(),
    profile: text("profile").notNull(),
    keyHint: text("key_hint").notNull(),
    upstreamId: text("upstream_id"),
    dueAt: integer("due_at", { mode: "timestamp_ms" }).notNull(),
    state: text("state", { enum: ["pending", "done", "failed"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("pending_deactivations_state_due_idx").on(t.state, t.dueAt)],
);

/** OAuth 2.0 providers the operator registered (we ship none). */
export const oauthProviders = sqliteTable("oauth_providers", {
  name: text("name").primaryKey(),
  issuer: text("issuer"),
  authorizationEndpoint: text("authorization_endpoint").notNull(),
  tokenEndpoint: text("token_endpoint").notNull(),
  clientId: text("client_id").notNull(),
  /** Space-separated, as in OAuth. */
  scopes: text("scopes").notNull(),
  keyMintingUrl: text("key_minting_url"),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
});

/** Named secrets of the store itself (the gateway token, OAuth client secrets), encrypted under the DEK. */
export const storeSecrets = sqliteTable("store_secrets", {
  name: text("name").primaryKey(),
  ciphertext: blob("ciphertext", { mode: "buffer" }).notNull(),
  nonce: blob("nonce", { mode: "buffer" }).notNull(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
});

/** Store-wide settings as JSON values (e.g. the rotation age). Never secrets. */
export const settings = sqliteTable("settings", {
  name: text("name").primaryKey(),
  value: text("value").notNull(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
});

export type KeyRow = typeof keys.$inferSelect;
export type ProfileRow = typeof profiles.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;
export type StoreMetaRow = typeof storeMeta.$inferSelect;
export type MasterKeySlotRow = typeof masterKeySlots.$inferSelect;
