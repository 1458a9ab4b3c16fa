import type { BucketMinutes, ReportedUsageRepository } from "@apikey/core/store";
import { and, eq, gte, inArray, isNotNull, lt, type SQL, sql } from "drizzle-orm";
import type { Dialect } from "../dialect.ts";

// Rows per INSERT: 14 parameters a row keeps a statement far under both dialects' bound-parameter limits.
const MAX_BATCH = 400;

export function reportedUsageRepository(dialect: Dialect): ReportedUsageRepository {
  const { db, sum, tables } = dialect;
  const t = tables.usageReported;
  const inWindow = (w: { since: Date; until?: Date }): SQL[] => {
    const conditions: SQL[] = [gte(t.bucketStart, w.since)];
    if (w.until !== undefined) conditions.push(lt(t.bucketStart, w.until));
    return conditions;
  };
  return {
    async replaceRange(org, from, until, rows) {
      await db.delete(t).where(and(eq(t.org, org), gte(t.bucketStart, from), lt(t.bucketStart, until)));
      for (let i = 0; i < rows.length; i += MAX_BATCH) {
        await db.insert(t).values(rows.slice(i, i + MAX_BATCH).map((row) => ({ ...row })));
      }
    },
    async totalsByKey(window) {
      const conditions = inWindow(window);
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
    async buckets(query) {
      if (query.keyIds.length === 0) return [];
      const tokens = sql<number>`${sum(t.uncachedInputTokens)} + ${sum(t.cacheCreation5mTokens)} + ${sum(t.cacheCreation1hTokens)} + ${sum(t.cacheReadTokens)} + ${sum(t.outputTokens)}`;
      const rows = await db
        .select({
          org: t.org,
          orgKeyId: t.orgKeyId,
          keyId: t.keyId,
          bucketStart: t.bucketStart,
          bucketMinutes: t.bucketMinutes,
          tokens: tokens.mapWith(Number),
          costUsd: sum(t.costUsd),
        })
        .from(t)
        .where(and(...inWindow(query), inArray(t.keyId, [...query.keyIds])))
        .groupBy(t.org, t.orgKeyId, t.keyId, t.bucketStart, t.bucketMinutes)
        .orderBy(
          dialect.byteOrder(t.keyId),
          t.bucketStart,
          dialect.byteOrder(t.org),
          dialect.byteOrder(t.orgKeyId),
        );
      return rows.map((r) => ({ ...r, bucketMinutes: r.bucketMinutes as BucketMinutes }));
    },
    async spendByKey(query) {
      const conditions = [...inWindow(query), isNotNull(t.keyId)];
      if (query.keyId !== undefined) conditions.push(eq(t.keyId, query.keyId));
      const rows = await db
        .select({ keyId: t.keyId, costUsd: sum(t.costUsd) })
        .from(t)
        .where(and(...conditions))
        .groupBy(t.keyId)
        .orderBy(dialect.byteOrder(t.keyId));
      return rows.map((r) => ({ keyId: r.keyId ?? "", costUsd: r.costUsd }));
    },
  };
}
