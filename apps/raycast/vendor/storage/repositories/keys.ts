// Vendored from packages/storage/src/repositories/keys.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { ApikeyError } from "../../core/errors.ts";
import type { KeyRepository } from "../../core/store.ts";
import { and, asc, eq, getTableName, isNull, lt, ne, or } from "drizzle-orm";
import type { StoreDb } from "../drivers/types.ts";
import { driverError, isForeignKeyViolation } from "../errors.ts";
import { rawStatement } from "../raw-statement.ts";
import { keyFromRow, keyPatchToRow, keyToRow } from "../rows.ts";
import { keys } from "../schema.ts";

function profileMissing(err: unknown): unknown {
  return isForeignKeyViolation(err)
    ? new ApikeyError("E_PROFILE_NOT_FOUND", "That profile does not exist.", { cause: driverError(err) })
    : err;
}

// Forward only: a late or back-dated event must not make a key look idle longer than it is.
const TOUCH_SQL = `UPDATE ${getTableName(keys)} SET ${keys.lastUsedAt.name} = ? WHERE ${keys.id.name} = ? AND (${keys.lastUsedAt.name} IS NULL OR ${keys.lastUsedAt.name} < ?)`;

export function keyRepository(db: StoreDb): KeyRepository {
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
      const raw = rawStatement(db, TOUCH_SQL);
      if (raw) {
        raw.run(at.getTime(), id, at.getTime());
        return;
      }
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
        .orderBy(asc(keys.profile), asc(keys.name), asc(keys.createdAt), asc(keys.id));
      return rows.map(keyFromRow);
    },
  };
}
