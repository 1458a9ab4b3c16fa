import type { StoreSecretRepository } from "@apikey/core/store";
import { eq } from "drizzle-orm";
import type { Dialect } from "../dialect.ts";
import { storeSecretFromRow, storeSecretToRow } from "../rows.ts";

export function storeSecretRepository({ db, tables }: Dialect): StoreSecretRepository {
  const t = tables.storeSecrets;
  return {
    async put(secret) {
      const row = storeSecretToRow(secret);
      const { name: _name, ...changes } = row;
      await db.insert(t).values(row).onConflictDoUpdate({ target: t.name, set: changes });
    },
    async get(name) {
      const [row] = await db.select().from(t).where(eq(t.name, name)).limit(1);
      return row ? storeSecretFromRow(row) : null;
    },
    async delete(name) {
      await db.delete(t).where(eq(t.name, name));
    },
  };
}
