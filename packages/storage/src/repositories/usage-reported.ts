import type { BucketMinutes, ReportedUsageRepository } from "@apikey/core/store";
import { and, eq, gte, inArray, isNotNull, lt, type SQL, sql } from "drizzle-orm";
import type { Dialect } from "../dialect.ts";
import { insertReportedDaily } from "./reported-rollup.ts";
import { DAY_MS, wholeDays } from "./usage-rollup.ts";

// Rows per INSERT: 14 parameters a row keeps a statement far under both dialects' bound-parameter limits.
const MAX_BATCH = 400;

export function reportedUsageRepository(dialect: Dialect): ReportedUsageRepository {
  const { db, sum, tables } = dialect;
  const t = tables.usageReported;
  const d = tables.usageReportedDaily;
  const inWindow = (w: { since: Date; until?: Date }): SQL[] => {
    const conditions: SQL[] = [gte(t.bucketStart, w.since)];
    if (w.until !== undefined) conditions.push(lt(t.bucketStart, w.until));
    return conditions;
  };
  const inDays = (days: { since: number; until?: number }): SQL[] => {
    const conditions: SQL[] = [gte(d.day, days.since)];
    if (days.until !== undefined) conditions.push(lt(d.day, days.until));
    return conditions;
  };
  return {
    async replaceRange(org, from, until, rows) {
      await db.delete(t).where(and(eq(t.org, org), gte(t.bucketStart, from), lt(t.bucketStart, until)));
      for (let i = 0; i < rows.length; i += MAX_BATCH) {
        await db.insert(t).values(rows.slice(i, i + MAX_BATCH).map((row) => ({ ...row })));
      }
      // The days the range touches, rebuilt whole from what usage_reported now holds: exact however often a
      // range is re-synced, and whatever widths covered those days before.
      const firstDay = Math.floor(from.getTime() / DAY_MS);
      const endDay = Math.floor((until.getTime() - 1) / DAY_MS) + 1;
      await db.delete(d).where(and(eq(d.org, org), gte(d.day, firstDay), lt(d.day, endDay)));
      await insertReportedDaily(
        db,
        tables,
        dialect.utcDay,
        and(
          eq(t.org, org),
          gte(t.bucketStart, new Date(firstDay * DAY_MS)),
          lt(t.bucketStart, new Date(endDay * DAY_MS)),
        ),
      );
    },
    async totalsByKey(window) {
      const days = wholeDays(window);
      // Whole UTC days (every front's window): a month is a few thousand rollup rows instead of every bucket.
      const from = days ? d : t;
      const conditions = days ? inDays(days) : inWindow(window);
      const tokens = days ? d : t;
      return (
        db
          .select({
            org: from.org,
            orgKeyId: from.orgKeyId,
            keyId: from.keyId,
            inputTokens: sum(tokens.uncachedInputTokens),
            outputTokens: sum(tokens.outputTokens),
            cacheCreationTokens:
              sql<number>`${sum(tokens.cacheCreation5mTokens)} + ${sum(tokens.cacheCreation1hTokens)}`.mapWith(
                Number,
              ),
            cacheReadTokens: sum(tokens.cacheReadTokens),
            webSearchRequests: sum(tokens.webSearchRequests),
            costUsd: sum(tokens.costUsd),
            unpricedRows: days
              ? sum(d.unpricedRows)
              : sql<number>`count(*) - count(${t.costUsd})`.mapWith(Number),
          })
          .from(from)
          .where(and(...conditions))
          // One organization key is one stored key at a time; grouping by both keeps a re-match visible.
          .groupBy(from.org, from.orgKeyId, from.keyId)
          .orderBy(dialect.byteOrder(from.org), dialect.byteOrder(from.orgKeyId))
      );
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
      const days = wholeDays(query);
      const from = days ? d : t;
      const conditions = [...(days ? inDays(days) : inWindow(query)), isNotNull(from.keyId)];
      if (query.keyId !== undefined) conditions.push(eq(from.keyId, query.keyId));
      const rows = await db
        .select({ keyId: from.keyId, costUsd: sum(from.costUsd) })
        .from(from)
        .where(and(...conditions))
        .groupBy(from.keyId)
        .orderBy(dialect.byteOrder(from.keyId));
      return rows.map((r) => ({ keyId: r.keyId ?? "", costUsd: r.costUsd }));
    },
  };
}
