// Vendored from packages/core/src/store.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type {
  AuditEntry,
  KeyRecord,
  MasterKeySlot,
  OAuthProviderRecord,
  PendingDeactivation,
  ProfileRecord,
  StoreMeta,
  StoreSecretRecord,
} from "./domain.ts";
import type { GatewayTokenRepository } from "./tokens/port.ts";
import type { UsageRepository } from "./usage/port.ts";
import type { ReportedUsageRepository } from "./usage-sync/port.ts";

/**
 * The persistence port. Core depends on this interface only; @apikey/storage implements it over SQLite.
 * Lookups return `null` / `[]` for "not found"; they never throw for it.
 */
export interface Store {
  /** Where the store lives, for messages (a directory or file path). */
  readonly location: string;

  getMeta(): Promise<StoreMeta | null>;
  /** Insert or replace the single metadata row. */
  setMeta(meta: StoreMeta): Promise<void>;

  readonly keys: KeyRepository;
  readonly profiles: ProfileRepository;
  readonly audit: AuditRepository;
  readonly usage: UsageRepository;
  /** Usage as Anthropic's usage report states it, beside what `usage` recorded (issue 24). */
  readonly reportedUsage: ReportedUsageRepository;
  readonly deactivations: DeactivationRepository;
  readonly oauthProviders: OAuthProviderRepository;
  readonly secrets: StoreSecretRepository;
  readonly settings: SettingsRepository;
  readonly slots: SlotRepository;
  readonly marks: MarkRepository;
  readonly tokens: GatewayTokenRepository;

  /**
   * A number that changes whenever another connection (another process) commits to the store; cheap enough to
   * call per request, so long-running fronts (the gateway, the bot) can cache what they read and re-read only
   * after someone else changed something. Commits through this same Store do not change it.
   */
  dataVersion(): Promise<number>;

  /**
   * Runs `fn` in one write transaction (BEGIN IMMEDIATE): all of it commits, or none of it.
   * Calls are serialised per store instance; nested calls join the outer transaction.
   */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type KeyPatch = Partial<Omit<KeyRecord, "id" | "createdAt">>;

export interface KeyRepository {
  insert(key: KeyRecord): Promise<void>;
  update(id: string, patch: KeyPatch): Promise<void>;
  delete(id: string): Promise<void>;
  byId(id: string): Promise<KeyRecord | null>;
  /** The non-rotated key with this name in this profile. */
  byName(profile: string, name: string): Promise<KeyRecord | null>;
  byFingerprint(fingerprint: string): Promise<KeyRecord | null>;
  /** Moves last_used_at forward to `at` (never back), in one statement: the per-request bookkeeping path. */
  touchLastUsed(id: string, at: Date): Promise<void>;
  /**
   * Ordered by profile, then name. `sealBelow`: only rows whose secret was sealed before that version (the unlock's
   * seal check asks for these; in a current store there are none, so it maps no row).
   */
  list(filter?: { profile?: string; sealBelow?: number }): Promise<KeyRecord[]>;
}

export interface ProfileRepository {
  create(profile: ProfileRecord): Promise<void>;
  get(name: string): Promise<ProfileRecord | null>;
  /** Ordered by name. */
  list(): Promise<ProfileRecord[]>;
  delete(name: string): Promise<void>;
  setActiveKey(name: string, keyId: string | null): Promise<void>;
}

export interface AuditRepository {
  append(entry: Omit<AuditEntry, "id">): Promise<void>;
  /** Newest first. */
  list(filter?: { limit?: number; keyId?: string; since?: Date }): Promise<AuditEntry[]>;
}

export interface DeactivationRepository {
  /** Returns the new row's id. */
  add(entry: Omit<PendingDeactivation, "id">): Promise<number>;
  update(id: number, patch: Partial<Omit<PendingDeactivation, "id" | "createdAt">>): Promise<void>;
  /** Ordered by dueAt. */
  list(filter?: { state?: PendingDeactivation["state"]; keyId?: string }): Promise<PendingDeactivation[]>;
}

export interface OAuthProviderRepository {
  /** Insert or replace by name. */
  put(provider: OAuthProviderRecord): Promise<void>;
  get(name: string): Promise<OAuthProviderRecord | null>;
  /** Ordered by name. */
  list(): Promise<OAuthProviderRecord[]>;
  delete(name: string): Promise<void>;
}

export interface StoreSecretRepository {
  /** Insert or replace by name. */
  put(secret: StoreSecretRecord): Promise<void>;
  get(name: string): Promise<StoreSecretRecord | null>;
  delete(name: string): Promise<void>;
}

export interface SettingsRepository {
  get(name: string): Promise<unknown | null>;
  /** Values are JSON; never put a secret here. */
  set(name: string, value: unknown, at: Date): Promise<void>;
  /** Removes the row; nothing happens when there is none. */
  delete(name: string): Promise<void>;
}

export interface SlotRepository {
  insert(slot: MasterKeySlot): Promise<void>;
  /** Ordered by creation. */
  list(): Promise<MasterKeySlot[]>;
  byName(name: string): Promise<MasterKeySlot | null>;
  delete(id: string): Promise<void>;
  /** Records that the slot opened the store. */
  touch(id: string, at: Date): Promise<void>;
}

export interface MarkRepository {
  /** True when this call set the mark; false when any process had set it before. */
  claim(name: string, at: Date): Promise<boolean>;
  /**
   * Several claims in one statement: the names this call set (each distinct name at most once). A front under load
   * (a Slack burst) claims in batches, so a claim is one round trip per batch, not one queued write per request.
   */
  claimMany(names: readonly string[], at: Date): Promise<Set<string>>;
  /** Forgets marks older than `before`; returns how many. */
  prune(before: Date): Promise<number>;
}

// The rest of the port an adapter implements, so storage needs this one entry.
export type { GatewayTokenPatch, GatewayTokenRecord, GatewayTokenRepository } from "./tokens/port.ts";
// The usage counters, defined once in core: storage builds its columns, aggregates and upserts from this list.
export { COUNTER_KEYS, type CounterKey } from "./usage/counts.ts";
export type {
  KeySpend,
  TokenSpend,
  UsageEvent,
  UsageGroupBy,
  UsageRepository,
  UsageSummaryRow,
  UsageWindow,
} from "./usage/port.ts";
export type {
  BucketMinutes,
  ReportedBucket,
  ReportedKeySpend,
  ReportedKeyTotal,
  ReportedUsageRepository,
  ReportedUsageRow,
} from "./usage-sync/port.ts";
