import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigint,
  check,
  customType,
  doublePrecision,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

export { usageReportedDaily } from "./schema-reported-daily.ts";

// The PostgreSQL twin of ../schema.ts: the same tables, columns, keys and indexes, so rows map to the same domain
// objects through ../rows.ts. Where the types differ, and why:
// - times are timestamptz(3), not integer milliseconds: the native type (readable in psql and reporting tools,
//   usable with date functions, still 8 bytes) with exactly the millisecond precision a JS Date carries;
// - blobs are bytea; reals are double precision; generated ids are bigint identities.
// Secrets only ever appear as ciphertext, exactly as in SQLite.

/** bytea: Drizzle 0.45's pg-core has no built-in column for it. node-postgres returns Buffers, PGlite Uint8Arrays. */
const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => "bytea",
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value)),
});

const ms = (name: string) => timestamp(name, { withTimezone: true, mode: "date", precision: 3 });

export const profiles = pgTable("profiles", {
  name: text("name").primaryKey(),
  activeKeyId: text("active_key_id").references((): AnyPgColumn => keys.id, { onDelete: "set null" }),
  createdAt: ms("created_at").notNull(),
});

export const keys = pgTable(
  "keys",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    profile: text("profile")
      .notNull()
      .references((): AnyPgColumn => profiles.name, { onDelete: "restrict" }),
    provider: text("provider", { enum: ["anthropic"] }).notNull(),
    kind: text("kind", { enum: ["api", "admin", "oauth", "federated"] }).notNull(),
    source: text("source", { enum: ["manual", "env", "oauth", "import"] }).notNull(),
    organization: text("organization"),
    // An imported user_oauth login's workspace_id, sent with its token (a federated key's is in its settings).
    workspace: text("workspace"),
    status: text("status", { enum: ["active", "disabled", "rotated"] }).notNull(),
    ciphertext: bytea("ciphertext").notNull(),
    nonce: bytea("nonce").notNull(),
    hint: text("hint").notNull(),
    fingerprint: text("fingerprint").notNull(),
    createdAt: ms("created_at").notNull(),
    updatedAt: ms("updated_at").notNull(),
    lastUsedAt: ms("last_used_at"),
    lastValidatedAt: ms("last_validated_at"),
    validation: text("validation", {
      enum: ["valid", "invalid", "forbidden", "rate_limited", "billing", "unverified"],
    }),
    validationMessage: text("validation_message"),
    rotatedFromId: text("rotated_from_id"),
    rotatedToId: text("rotated_to_id"),
    upstreamId: text("upstream_id"),
    monthlyBudgetUsd: doublePrecision("monthly_budget_usd"),
    budgetMode: text("budget_mode", { enum: ["warn", "block"] })
      .notNull()
      .default("warn"),
    refreshCiphertext: bytea("refresh_ciphertext"),
    refreshNonce: bytea("refresh_nonce"),
    expiresAt: ms("expires_at"),
    oauthProvider: text("oauth_provider"),
    seal: integer("seal").notNull().default(1),
  },
  (t) => [
    // Checked in this order: a row that repeats a stored key under its own name is E_KEY_DUPLICATE first, as in
    // SQLite, which tests the newest index first.
    uniqueIndex("keys_fingerprint_uq").on(t.fingerprint),
    // Partial: a rotated key keeps its name beside its successor.
    uniqueIndex("keys_profile_name_live_uq").on(t.profile, t.name).where(sql`status <> 'rotated'`),
    index("keys_profile_idx").on(t.profile),
  ],
);

export const usageEvents = pgTable(
  "usage_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    keyId: text("key_id")
      .notNull()
      .references(() => keys.id, { onDelete: "cascade" }),
    at: ms("at").notNull(),
    model: text("model").notNull(),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    cacheCreationTokens: integer("cache_creation_tokens").notNull().default(0),
    cacheReadTokens: integer("cache_read_tokens").notNull().default(0),
    costUsd: doublePrecision("cost_usd"),
    requestId: text("request_id"),
    front: text("front").notNull(),
    // The gateway token the request came with; no FK, as in SQLite (revoked tokens keep their rows and usage).
    tokenId: text("token_id"),
  },
  (t) => [
    index("usage_events_key_at_idx").on(t.keyId, t.at),
    index("usage_events_at_idx").on(t.at),
    // Partial (issue 25's ingest): usable by queries whose WHERE implies it, as token_id = ? does.
    index("usage_events_token_at_idx").on(t.tokenId, t.at).where(sql`token_id IS NOT NULL`),
  ],
);

/** Gateway tokens per person or app, stored as a keyed hash only (see ../schema.ts). */
export const gatewayTokens = pgTable(
  "gateway_tokens",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    profile: text("profile").references((): AnyPgColumn => profiles.name, { onDelete: "cascade" }),
    hash: text("hash").notNull(),
    monthlyBudgetUsd: doublePrecision("monthly_budget_usd"),
    budgetMode: text("budget_mode", { enum: ["warn", "block"] })
      .notNull()
      .default("warn"),
    models: text("models"),
    expiresAt: ms("expires_at"),
    createdAt: ms("created_at").notNull(),
    updatedAt: ms("updated_at").notNull(),
    lastUsedAt: ms("last_used_at"),
    revokedAt: ms("revoked_at"),
  },
  (t) => [
    uniqueIndex("gateway_tokens_name_live_uq").on(t.name).where(sql`revoked_at IS NULL`),
    uniqueIndex("gateway_tokens_hash_uq").on(t.hash),
  ],
);

/** usage_events summed per UTC day, key and model; `day` is floor(epoch ms / 86_400_000), as in SQLite. */
export const usageDaily = pgTable(
  "usage_daily",
  {
    day: integer("day").notNull(),
    keyId: text("key_id")
      .notNull()
      .references(() => keys.id, { onDelete: "cascade" }),
    model: text("model").notNull(),
    // bigint: a busy key's month of tokens passes 2^31.
    requests: bigint("requests", { mode: "number" }).notNull(),
    inputTokens: bigint("input_tokens", { mode: "number" }).notNull(),
    outputTokens: bigint("output_tokens", { mode: "number" }).notNull(),
    cacheCreationTokens: bigint("cache_creation_tokens", { mode: "number" }).notNull(),
    cacheReadTokens: bigint("cache_read_tokens", { mode: "number" }).notNull(),
    costUsd: doublePrecision("cost_usd").notNull(),
    unpricedRequests: bigint("unpriced_requests", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.keyId, t.model] })],
);

/** Usage as Anthropic's usage report states it (issue 24); see ../schema.ts. */
export const usageReported = pgTable(
  "usage_reported",
  {
    org: text("org").notNull(),
    orgKeyId: text("org_key_id").notNull(),
    model: text("model").notNull(),
    bucketStart: ms("bucket_start").notNull(),
    bucketMinutes: integer("bucket_minutes").notNull(),
    keyId: text("key_id"),
    uncachedInputTokens: bigint("uncached_input_tokens", { mode: "number" }).notNull(),
    cacheCreation5mTokens: bigint("cache_creation_5m_tokens", { mode: "number" }).notNull(),
    cacheCreation1hTokens: bigint("cache_creation_1h_tokens", { mode: "number" }).notNull(),
    cacheReadTokens: bigint("cache_read_tokens", { mode: "number" }).notNull(),
    outputTokens: bigint("output_tokens", { mode: "number" }).notNull(),
    webSearchRequests: bigint("web_search_requests", { mode: "number" }).notNull(),
    costUsd: doublePrecision("cost_usd"),
    syncedAt: ms("synced_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.org, t.bucketStart, t.orgKeyId, t.model] }),
    index("usage_reported_key_bucket_idx").on(t.keyId, t.bucketStart),
  ],
);

export const auditLog = pgTable(
  "audit_log",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    at: ms("at").notNull(),
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

export const storeMeta = pgTable(
  "store_meta",
  {
    id: integer("id").primaryKey(),
    createdAt: ms("created_at").notNull(),
    updatedAt: ms("updated_at").notNull(),
  },
  () => [check("store_meta_single_row", sql`id = 1`)],
);

export const masterKeySlots = pgTable("master_key_slots", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  kind: text("kind", { enum: ["env", "keychain", "passphrase", "keyfile"] }).notNull(),
  params: text("params"),
  wrappedDek: bytea("wrapped_dek").notNull(),
  dekNonce: bytea("dek_nonce").notNull(),
  createdAt: ms("created_at").notNull(),
  lastUsedAt: ms("last_used_at"),
});

export const marks = pgTable(
  "marks",
  {
    name: text("name").primaryKey(),
    at: ms("at").notNull(),
  },
  (t) => [index("marks_at_idx").on(t.at)],
);

export const pendingDeactivations = pgTable(
  "pending_deactivations",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    keyId: text("key_id").notNull(),
    profile: text("profile").notNull(),
    keyHint: text("key_hint").notNull(),
    upstreamId: text("upstream_id"),
    dueAt: ms("due_at").notNull(),
    state: text("state", { enum: ["pending", "done", "failed"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    createdAt: ms("created_at").notNull(),
    updatedAt: ms("updated_at").notNull(),
  },
  (t) => [index("pending_deactivations_state_due_idx").on(t.state, t.dueAt)],
);

export const oauthProviders = pgTable("oauth_providers", {
  name: text("name").primaryKey(),
  issuer: text("issuer"),
  authorizationEndpoint: text("authorization_endpoint").notNull(),
  tokenEndpoint: text("token_endpoint").notNull(),
  clientId: text("client_id").notNull(),
  scopes: text("scopes").notNull(),
  keyMintingUrl: text("key_minting_url"),
  createdAt: ms("created_at").notNull(),
  updatedAt: ms("updated_at").notNull(),
});

export const storeSecrets = pgTable("store_secrets", {
  name: text("name").primaryKey(),
  ciphertext: bytea("ciphertext").notNull(),
  nonce: bytea("nonce").notNull(),
  updatedAt: ms("updated_at").notNull(),
});

export const settings = pgTable("settings", {
  name: text("name").primaryKey(),
  value: text("value").notNull(),
  updatedAt: ms("updated_at").notNull(),
});

/**
 * PostgreSQL has no PRAGMA data_version: this one row is its stand-in. A trigger on every table above adds 1 once
 * per writing transaction (see drizzle-pg/0001), so the number moves exactly when data did, visibly only at commit.
 * Its row lock is also the store's write lock: a transaction takes it first, as SQLite's BEGIN IMMEDIATE does.
 */
export const storeVersion = pgTable(
  "store_version",
  {
    id: integer("id").primaryKey(),
    version: bigint("version", { mode: "number" }).notNull(),
    // The transaction that last added 1, so later statements of the same transaction add nothing.
    txid: bigint("txid", { mode: "number" }),
  },
  () => [check("store_version_single_row", sql`id = 1`)],
);
