// The repositories over PostgreSQL. Same queries as ../repositories/*, written against the pg tables (Drizzle types
// each dialect's tables apart), sharing ../rows.ts: the rows have the same shapes, so they map to the same domain
// objects. Text ordering uses COLLATE "C" (byte order, as SQLite sorts), whatever the database's locale.
import type { MarkRepository, SettingsRepository, StoreMeta } from "@apikey/core";
import { ApikeyError } from "@apikey/core/errors";
import type {
  AuditRepository,
  DeactivationRepository,
  KeyRepository,
  OAuthProviderRepository,
  ProfileRepository,
  SlotRepository,
  StoreSecretRepository,
} from "@apikey/core/store";
import type { GatewayTokenRepository } from "@apikey/core/tokens";
import { and, desc, eq, gte, isNull, lt, ne, or, type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import {
  auditFromRow,
  auditToRow,
  deactivationFromRow,
  keyFromRow,
  keyPatchToRow,
  keyToRow,
  metaFromRow,
  metaToRow,
  oauthProviderFromRow,
  oauthProviderToRow,
  profileFromRow,
  slotFromRow,
  slotToRow,
  storeSecretFromRow,
  storeSecretToRow,
  tokenFromRow,
  tokenPatchToRow,
  tokenToRow,
} from "../rows.ts";
import { isForeignKeyViolation, pgDriverError } from "./errors.ts";
import {
  auditLog,
  gatewayTokens,
  keys,
  marks,
  masterKeySlots,
  oauthProviders,
  pendingDeactivations,
  profiles,
  settings,
  storeMeta,
  storeSecrets,
} from "./schema.ts";
import type { PgDb } from "./session.ts";

/** Byte-order sorting for a text column. */
export const binary = (column: AnyPgColumn): SQL => sql`${column} COLLATE "C"`;

export function keyRepository(db: PgDb): KeyRepository {
  const profileMissing = (err: unknown): unknown =>
    isForeignKeyViolation(err)
      ? new ApikeyError("E_PROFILE_NOT_FOUND", "That profile does not exist.", { cause: pgDriverError(err) })
      : err;
  return {
    async insert(key) {
      await db
        .insert(keys)
        .values(keyToRow(key))
        .catch((err: unknown) => {
          throw profileMissing(err);
        });
    },
    async update(id, patch) {
      const row = keyPatchToRow(patch);
      if (Object.keys(row).length === 0) return;
      await db
        .update(keys)
        .set(row)
        .where(eq(keys.id, id))
        .catch((err: unknown) => {
          throw profileMissing(err);
        });
    },
    async delete(id) {
      await db.delete(keys).where(eq(keys.id, id));
    },
    async byId(id) {
      const [row] = await db.select().from(keys).where(eq(keys.id, id)).limit(1);
      return row ? keyFromRow(row) : null;
    },
    async byName(profile, name) {
      const [row] = await db
        .select()
        .from(keys)
        .where(and(eq(keys.profile, profile), eq(keys.name, name), ne(keys.status, "rotated")))
        .limit(1);
      return row ? keyFromRow(row) : null;
    },
    async touchLastUsed(id, at) {
      await db
        .update(keys)
        .set({ lastUsedAt: at })
        .where(and(eq(keys.id, id), or(isNull(keys.lastUsedAt), lt(keys.lastUsedAt, at))));
    },
    async byFingerprint(fingerprint) {
      const [row] = await db.select().from(keys).where(eq(keys.fingerprint, fingerprint)).limit(1);
      return row ? keyFromRow(row) : null;
    },
    async list(filter = {}) {
      const rows = await db
        .select()
        .from(keys)
        .where(filter.profile === undefined ? undefined : eq(keys.profile, filter.profile))
        .orderBy(binary(keys.profile), binary(keys.name), keys.createdAt, binary(keys.id));
      return rows.map(keyFromRow);
    },
  };
}

export function profileRepository(db: PgDb): ProfileRepository {
  return {
    async create(profile) {
      await db.insert(profiles).values({ ...profile });
    },
    async get(name) {
      const [row] = await db.select().from(profiles).where(eq(profiles.name, name)).limit(1);
      return row ? profileFromRow(row) : null;
    },
    async list() {
      const rows = await db.select().from(profiles).orderBy(binary(profiles.name));
      return rows.map(profileFromRow);
    },
    async delete(name) {
      await db
        .delete(profiles)
        .where(eq(profiles.name, name))
        .catch((err: unknown) => {
          if (!isForeignKeyViolation(err)) throw err;
          // keys.profile is ON DELETE RESTRICT.
          throw new ApikeyError("E_PROFILE_IN_USE", "This profile still holds keys.", {
            cause: pgDriverError(err),
            hint: "Move or remove its keys first.",
          });
        });
    },
    async setActiveKey(name, keyId) {
      await db
        .update(profiles)
        .set({ activeKeyId: keyId })
        .where(eq(profiles.name, name))
        .catch((err: unknown) => {
          if (!isForeignKeyViolation(err)) throw err;
          throw new ApikeyError("E_KEY_NOT_FOUND", "That key does not exist.", { cause: pgDriverError(err) });
        });
    },
  };
}

export function auditRepository(db: PgDb): AuditRepository {
  return {
    async append(entry) {
      await db.insert(auditLog).values(auditToRow(entry));
    },
    async list(filter = {}) {
      const conditions: SQL[] = [];
      if (filter.keyId !== undefined) conditions.push(eq(auditLog.keyId, filter.keyId));
      if (filter.since !== undefined) conditions.push(gte(auditLog.at, filter.since));
      const query = db
        .select()
        .from(auditLog)
        .where(and(...conditions))
        .orderBy(desc(auditLog.at), desc(auditLog.id));
      const rows = await (filter.limit === undefined ? query : query.limit(filter.limit));
      return rows.map(auditFromRow);
    },
  };
}

export interface MetaRepository {
  get(): Promise<StoreMeta | null>;
  set(meta: StoreMeta): Promise<void>;
}

export function metaRepository(db: PgDb): MetaRepository {
  return {
    async get() {
      const [row] = await db.select().from(storeMeta).where(eq(storeMeta.id, 1)).limit(1);
      return row ? metaFromRow(row) : null;
    },
    async set(meta) {
      const { id: _id, ...changes } = metaToRow(meta);
      await db
        .insert(storeMeta)
        .values({ id: 1, ...changes })
        .onConflictDoUpdate({ target: storeMeta.id, set: changes });
    },
  };
}

export function slotRepository(db: PgDb): SlotRepository {
  return {
    async insert(slot) {
      await db.insert(masterKeySlots).values(slotToRow(slot));
    },
    async list() {
      const rows = await db
        .select()
        .from(masterKeySlots)
        .orderBy(masterKeySlots.createdAt, binary(masterKeySlots.id));
      return rows.map(slotFromRow);
    },
    async byName(name) {
      const [row] = await db.select().from(masterKeySlots).where(eq(masterKeySlots.name, name)).limit(1);
      return row ? slotFromRow(row) : null;
    },
    async delete(id) {
      await db.delete(masterKeySlots).where(eq(masterKeySlots.id, id));
    },
    async touch(id, at) {
      await db.update(masterKeySlots).set({ lastUsedAt: at }).where(eq(masterKeySlots.id, id));
    },
  };
}

export function markRepository(db: PgDb): MarkRepository {
  return {
    async claim(name, at) {
      // ON CONFLICT DO NOTHING + RETURNING: a row comes back only to the one caller that inserted it; a second
      // connection inserting the same name at once waits for the first's commit, then gets nothing.
      const inserted = await db
        .insert(marks)
        .values({ name, at })
        .onConflictDoNothing()
        .returning({ name: marks.name });
      return inserted.length === 1;
    },
    async prune(before) {
      const gone = await db.delete(marks).where(lt(marks.at, before)).returning({ name: marks.name });
      return gone.length;
    },
  };
}

export function deactivationRepository(db: PgDb): DeactivationRepository {
  const t = pendingDeactivations;
  return {
    async add(entry) {
      const [row] = await db.insert(t).values(entry).returning({ id: t.id });
      if (!row) throw new Error("insert returned no row");
      return row.id;
    },
    async update(id, patch) {
      const changes = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      if (Object.keys(changes).length === 0) return;
      await db.update(t).set(changes).where(eq(t.id, id));
    },
    async list(filter = {}) {
      const conditions: SQL[] = [];
      if (filter.state !== undefined) conditions.push(eq(t.state, filter.state));
      if (filter.keyId !== undefined) conditions.push(eq(t.keyId, filter.keyId));
      const rows = await db
        .select()
        .from(t)
        .where(and(...conditions))
        .orderBy(t.dueAt, t.id);
      return rows.map(deactivationFromRow);
    },
  };
}

export function oauthProviderRepository(db: PgDb): OAuthProviderRepository {
  return {
    async put(provider) {
      const { name: _name, ...changes } = oauthProviderToRow(provider);
      await db
        .insert(oauthProviders)
        .values(oauthProviderToRow(provider))
        .onConflictDoUpdate({ target: oauthProviders.name, set: changes });
    },
    async get(name) {
      const [row] = await db.select().from(oauthProviders).where(eq(oauthProviders.name, name)).limit(1);
      return row ? oauthProviderFromRow(row) : null;
    },
    async list() {
      const rows = await db.select().from(oauthProviders).orderBy(binary(oauthProviders.name));
      return rows.map(oauthProviderFromRow);
    },
    async delete(name) {
      await db.delete(oauthProviders).where(eq(oauthProviders.name, name));
    },
  };
}

export function storeSecretRepository(db: PgDb): StoreSecretRepository {
  return {
    async put(secret) {
      const { name: _name, ...changes } = storeSecretToRow(secret);
      await db
        .insert(storeSecrets)
        .values(storeSecretToRow(secret))
        .onConflictDoUpdate({ target: storeSecrets.name, set: changes });
    },
    async get(name) {
      const [row] = await db.select().from(storeSecrets).where(eq(storeSecrets.name, name)).limit(1);
      return row ? storeSecretFromRow(row) : null;
    },
    async delete(name) {
      await db.delete(storeSecrets).where(eq(storeSecrets.name, name));
    },
  };
}

export function settingsRepository(db: PgDb): SettingsRepository {
  return {
    async get(name) {
      const [row] = await db.select().from(settings).where(eq(settings.name, name)).limit(1);
      return row ? (JSON.parse(row.value) as unknown) : null;
    },
    async set(name, value, at) {
      const json = JSON.stringify(value);
      await db
        .insert(settings)
        .values({ name, value: json, updatedAt: at })
        .onConflictDoUpdate({ target: settings.name, set: { value: json, updatedAt: at } });
    },
  };
}

export function gatewayTokenRepository(db: PgDb): GatewayTokenRepository {
  const t = gatewayTokens;
  const profileMissing = (err: unknown): unknown =>
    isForeignKeyViolation(err)
      ? new ApikeyError("E_PROFILE_NOT_FOUND", "That profile does not exist.", { cause: pgDriverError(err) })
      : err;
  return {
    async insert(token) {
      await db
        .insert(t)
        .values(tokenToRow(token))
        .catch((err: unknown) => {
          throw profileMissing(err);
        });
    },
    async update(id, patch) {
      const row = tokenPatchToRow(patch);
      if (Object.keys(row).length === 0) return;
      await db
        .update(t)
        .set(row)
        .where(eq(t.id, id))
        .catch((err: unknown) => {
          throw profileMissing(err);
        });
    },
    async byName(name) {
      const [row] = await db
        .select()
        .from(t)
        .where(and(eq(t.name, name), isNull(t.revokedAt)))
        .limit(1);
      return row ? tokenFromRow(row) : null;
    },
    async byId(id) {
      const [row] = await db.select().from(t).where(eq(t.id, id)).limit(1);
      return row ? tokenFromRow(row) : null;
    },
    async list(filter = {}) {
      const rows = await db
        .select()
        .from(t)
        .where(filter.includeRevoked ? undefined : isNull(t.revokedAt))
        .orderBy(binary(t.name), t.createdAt);
      return rows.map(tokenFromRow);
    },
    async touchLastUsed(id, at) {
      await db
        .update(t)
        .set({ lastUsedAt: at })
        .where(and(eq(t.id, id), or(isNull(t.lastUsedAt), lt(t.lastUsedAt, at))));
    },
  };
}
