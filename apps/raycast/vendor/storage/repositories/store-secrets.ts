// Vendored from packages/storage/src/repositories/store-secrets.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { StoreSecretRepository } from "../../core/store.ts";
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
