import type { KeyRepository } from "@apikey/core/store";
import { and, eq, ne } from "drizzle-orm";
import type { Dialect } from "../dialect.ts";
import { keyFromRow, keyPatchToRow, keyToRow } from "../rows.ts";
import { keyList } from "./key-lists.ts";
import { profileMissing } from "./profile-missing.ts";
import { touchForward } from "./touch-forward.ts";

export function keyRepository(dialect: Dialect): KeyRepository {
  const { db } = dialect;
  const { keys } = dialect.tables;
  const rethrow = (err: unknown): never => {
    throw profileMissing(dialect, err);
  };
  return {
    async insert(key) {
      await db.insert(keys).values(keyToRow(key)).catch(rethrow);
    },
    async update(id, patch) {
      const row = keyPatchToRow(patch);
      if (Object.keys(row).length === 0) return;
      await db.update(keys).set(row).where(eq(keys.id, id)).catch(rethrow);
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
    touchLastUsed: (id, at) => touchForward(dialect, keys, id, at),
    async byFingerprint(fingerprint) {
      const [row] = await db.select().from(keys).where(eq(keys.fingerprint, fingerprint)).limit(1);
      return row ? keyFromRow(row) : null;
    },
    list: keyList(dialect),
  };
}
