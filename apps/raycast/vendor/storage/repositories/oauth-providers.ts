// Vendored from packages/storage/src/repositories/oauth-providers.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { OAuthProviderRepository } from "../../core/index.ts";
import { asc, eq } from "drizzle-orm";
import type { StoreDb } from "../drivers/types.ts";
import { oauthProviderFromRow, oauthProviderToRow } from "../rows.ts";
import { oauthProviders } from "../schema.ts";

export function oauthProviderRepository(db: StoreDb): OAuthProviderRepository {
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
      const rows = await db.select().from(oauthProviders).orderBy(asc(oauthProviders.name));
      return rows.map(oauthProviderFromRow);
    },
    async delete(name) {
      await db.delete(oauthProviders).where(eq(oauthProviders.name, name));
    },
  };
}
