// Vendored from packages/storage/src/repositories/meta.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { StoreMeta } from "../../core/index.ts";
import { eq } from "drizzle-orm";
import type { Dialect } from "../dialect.ts";
import { metaFromRow, metaToRow } from "../rows.ts";

export interface MetaRepository {
  get(): Promise<StoreMeta | null>;
  set(meta: StoreMeta): Promise<void>;
}

export function metaRepository({ db, tables: { storeMeta } }: Dialect): MetaRepository {
  return {
    async get() {
      const [row] = await db.select().from(storeMeta).where(eq(storeMeta.id, 1)).limit(1);
      return row ? metaFromRow(row) : null;
    },
    async set(meta) {
      const row = metaToRow(meta);
      const { id: _id, ...changes } = row;
      await db.insert(storeMeta).values(row).onConflictDoUpdate({ target: storeMeta.id, set: changes });
    },
  };
}
