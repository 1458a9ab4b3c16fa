import type { OAuthProviderRepository } from "@apikey/core/store";
import { eq } from "drizzle-orm";
import type { Dialect } from "../dialect.ts";
import { oauthProviderFromRow, oauthProviderToRow } from "../rows.ts";

export function oauthProviderRepository({ db, tables, byteOrder }: Dialect): OAuthProviderRepository {
  const t = tables.oauthProviders;
  return {
    async put(provider) {
      const row = oauthProviderToRow(provider);
      const { name: _name, ...changes } = row;
      await db.insert(t).values(row).onConflictDoUpdate({ target: t.name, set: changes });
    },
    async get(name) {
      const [row] = await db.select().from(t).where(eq(t.name, name)).limit(1);
      return row ? oauthProviderFromRow(row) : null;
    },
    async list() {
      const rows = await db.select().from(t).orderBy(byteOrder(t.name));
      return rows.map(oauthProviderFromRow);
    },
    async delete(name) {
      await db.delete(t).where(eq(t.name, name));
    },
  };
}
