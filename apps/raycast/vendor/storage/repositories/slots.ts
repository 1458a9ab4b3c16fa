// Vendored from packages/storage/src/repositories/slots.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { SlotRepository } from "../../core/index.ts";
import { asc, eq } from "drizzle-orm";
import type { StoreDb } from "../drivers/types.ts";
import { slotFromRow, slotToRow } from "../rows.ts";
import { masterKeySlots } from "../schema.ts";

export function slotRepository(db: StoreDb): SlotRepository {
  return {
    async insert(slot) {
      await db.insert(masterKeySlots).values(slotToRow(slot));
    },
    async list() {
      const rows = await db
        .select()
        .from(masterKeySlots)
        .orderBy(asc(masterKeySlots.createdAt), asc(masterKeySlots.id));
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
