// Vendored from packages/storage/src/repositories/deactivations.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { DeactivationRepository } from "../../core/index.ts";
import { and, asc, eq, type SQL } from "drizzle-orm";
import type { StoreDb } from "../drivers/types.ts";
import { deactivationFromRow } from "../rows.ts";
import { pendingDeactivations } from "../schema.ts";

export function deactivationRepository(db: StoreDb): DeactivationRepository {
  return {
    async add(entry) {
      const [row] = await db
        .insert(pendingDeactivations)
        .values(entry)
        .returning({ id: pendingDeactivations.id });
      if (!row) throw new Error("insert returned no row");
      return row.id;
    },
    async update(id, patch) {
      const changes = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      if (Object.keys(changes).length === 0) return;
      await db.update(pendingDeactivations).set(changes).where(eq(pendingDeactivations.id, id));
    },
    async list(filter = {}) {
      const conditions: SQL[] = [];
      if (filter.state !== undefined) conditions.push(eq(pendingDeactivations.state, filter.state));
      if (filter.keyId !== undefined) conditions.push(eq(pendingDeactivations.keyId, filter.keyId));
      const rows = await db
        .select()
        .from(pendingDeactivations)
        .where(and(...conditions))
        .orderBy(asc(pendingDeactivations.dueAt), asc(pendingDeactivations.id));
      return rows.map(deactivationFromRow);
    },
  };
}
