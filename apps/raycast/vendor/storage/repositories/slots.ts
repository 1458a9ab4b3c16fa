// Vendored from packages/storage/src/repositories/slots.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { SlotRepository } from "../../core/store.ts";
import { asc, eq } from "drizzle-orm";
import type { Dialect } from "../dialect.ts";
import { slotFromRow, slotToRow } from "../rows.ts";

export function slotRepository({ db, tables, byteOrder }: Dialect): SlotRepository {
  const t = tables.masterKeySlots;
  return {
    async insert(slot) {
      await db.insert(t).values(slotToRow(slot));
    },
    async list() {
      const rows = await db.select().from(t).orderBy(asc(t.createdAt), byteOrder(t.id));
      return rows.map(slotFromRow);
    },
    async byName(name) {
      const [row] = await db.select().from(t).where(eq(t.name, name)).limit(1);
      return row ? slotFromRow(row) : null;
    },
    async delete(id) {
      await db.delete(t).where(eq(t.id, id));
    },
    async touch(id, at) {
      await db.update(t).set({ lastUsedAt: at }).where(eq(t.id, id));
    },
  };
}
