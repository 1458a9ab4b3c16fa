import type { UsageRepository } from "@apikey/core";
import { and, desc, eq, gte, type SQL } from "drizzle-orm";
import type { StoreDb } from "../drivers/types.ts";
import { usageFromRow, usageToRow } from "../rows.ts";
import { usageEvents } from "../schema.ts";

// SQLite caps bound parameters per statement; 11 columns × 500 rows stays well under it.
const BATCH_ROWS = 500;

export function usageRepository(db: StoreDb): UsageRepository {
  return {
    async record(event) {
      await db.insert(usageEvents).values(usageToRow(event));
    },
    async recordMany(events) {
      // Callers wrap this in store.transaction for all-or-nothing; the batches keep each statement bounded.
      for (let i = 0; i < events.length; i += BATCH_ROWS) {
        await db.insert(usageEvents).values(events.slice(i, i + BATCH_ROWS).map(usageToRow));
      }
    },
    async list(filter = {}) {
      const conditions: SQL[] = [];
      if (filter.keyId !== undefined) conditions.push(eq(usageEvents.keyId, filter.keyId));
      if (filter.since !== undefined) conditions.push(gte(usageEvents.at, filter.since));
      const query = db
        .select()
        .from(usageEvents)
        .where(and(...conditions))
        .orderBy(desc(usageEvents.at), desc(usageEvents.id));
      const rows = await (filter.limit === undefined ? query : query.limit(filter.limit));
      return rows.map(usageFromRow);
    },
  };
}
