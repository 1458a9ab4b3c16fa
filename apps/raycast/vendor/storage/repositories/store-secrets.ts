// Vendored from packages/storage/src/repositories/store-secrets.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { StoreSecretRepository } from "../../core/index.ts";
import { eq } from "drizzle-orm";
import type { StoreDb } from "../drivers/types.ts";
import { storeSecretFromRow, storeSecretToRow } from "../rows.ts";
import { storeSecrets } from "../schema.ts";

export function storeSecretRepository(db: StoreDb): StoreSecretRepository {
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
