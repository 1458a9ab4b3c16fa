import type { ReportedUsageRepository } from "@apikey/core/store";
import { and, eq, gte, lt, type SQL, sql } from "drizzle-orm";
import type { Dialect } from "../dialect.ts";

// Rows per INSERT: 14 parameters a row keeps a statement far under both dialects' bound-parameter limits.
const MAX_BATCH = 400;

export function reportedUsageRepository(dialect: Dialect): ReportedUsageRepository {
  const { db, sum, tables } = dialect;
  const t = tables.usageReported;
  return {
    async replaceRange(org, from, until, rows) {
      await db.delete(t).where(and(eq(t.org, org), gte(t.bucketStart, from), lt(t.bucketStart, until)));
      for (let i = 0; i < rows.length; i += MAX_BATCH) {
        await db.insert(t).values(rows.slice(i, i + MAX_BATCH).map((row) => ({ ...row })));
      }
    },
    async totalsByKey(window) {
      const conditions: SQL[] = [gte(t.bucketStart, window.since)];
      if (window.until !== undefined) conditions.push(lt(t.bucketStart, window.until));
      const rows = await db
        .select({
          org: t.org,
          orgKeyId: t.orgKeyId,
          keyId: t.keyId,
          inputTokens: sum(t.uncachedInputTokens),
          outputTokens: sum(t.outputTokens),
          cacheCreationTokens:
            sql<number>`${sum(t.cacheCreation5mTokens)} + ${sum(t.cacheCreation1hTokens)}`.mapWith(Number),
          cacheReadTokens: sum(t.cacheReadTokens),
          webSearchRequests: sum(t.webSearchRequests),
          costUsd: sum(t.costUsd),
          unpricedRows: sql<number>`count(*) - count(${t.costUsd})`.mapWith(Number),
        })
        .from(t)
        .where(and(...conditions))
        // One organization key is one stored key at a time; grouping by both keeps a re-match visible.
        .groupBy(t.org, t.orgKeyId, t.keyId)
        .orderBy(dialect.byteOrder(t.org), dialect.byteOrder(t.orgKeyId));
      return rows;
    },
  };
}
