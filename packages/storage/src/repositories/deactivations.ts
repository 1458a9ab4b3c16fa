import type { DeactivationRepository } from "@apikey/core/store";
import { and, asc, eq, type SQL } from "drizzle-orm";
import type { Dialect } from "../dialect.ts";
import { deactivationFromRow } from "../rows.ts";

export function deactivationRepository({ db, tables }: Dialect): DeactivationRepository {
  const t = tables.pendingDeactivations;
  return {
    async add(entry) {
      const [row] = await db.insert(t).values(entry).returning({ id: t.id });
      if (!row) throw new Error("insert returned no row");
      return row.id;
    },
    async update(id, patch) {
      const changes = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      if (Object.keys(changes).length === 0) return;
      await db.update(t).set(changes).where(eq(t.id, id));
    },
    async list(filter = {}) {
      const conditions: SQL[] = [];
      if (filter.state !== undefined) conditions.push(eq(t.state, filter.state));
      if (filter.keyId !== undefined) conditions.push(eq(t.keyId, filter.keyId));
      const rows = await db
        .select()
        .from(t)
        .where(and(...conditions))
        .orderBy(asc(t.dueAt), asc(t.id));
      return rows.map(deactivationFromRow);
    },
  };
}
