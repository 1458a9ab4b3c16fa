import type { BucketMinutes, ReportedKeyTotal, ReportedUsageRepository } from "@apikey/core/store";
import { and, eq, gte, inArray, isNotNull, lt, type SQL, sql } from "drizzle-orm";
import type { Dialect, Tables } from "../dialect.ts";
import { rebuildReportedDays } from "./reported-rollup.ts";
import { wholeDays } from "./usage-rollup.ts";

// Rows per INSERT: 14 parameters a row keeps a statement far under both dialects' bound-parameter limits.
const MAX_BATCH = 400;

type Window = { since: Date; until?: Date };
const inWindow = (t: Tables["usageReported"], w: Window): SQL[] => {
  const conditions: SQL[] = [gte(t.bucketStart, w.since)];
  if (w.until !== undefined) conditions.push(lt(t.bucketStart, w.until));
  return conditions;
};
const inDays = (d: Tables["usageReportedDaily"], days: { since: number; until?: number }): SQL[] => {
  const conditions: SQL[] = [gte(d.day, days.since)];
  if (days.until !== undefined) conditions.push(lt(d.day, days.until));
  return conditions;
};

export function reportedUsageRepository(dialect: Dialect): ReportedUsageRepository {
  const { db, sum, tables } = dialect;
  const t = tables.usageReported;
  const d = tables.usageReportedDaily;
  return {
    async replaceRange(org, from, until, rows) {
      await db.delete(t).where(and(eq(t.org, org), gte(t.bucketStart, from), lt(t.bucketStart, until)));
      for (let i = 0; i < rows.length; i += MAX_BATCH) {
        await db.insert(t).values(rows.slice(i, i + MAX_BATCH).map((row) => ({ ...row })));
      }
      await rebuildReportedDays(dialect, org, from, until);
    },
    totalsByKey: (window) => totalsByKey(dialect, window),
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
        .where(and(...inWindow(t, query), inArray(t.keyId, [...query.keyIds])))
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
      const conditions = [...(days ? inDays(d, days) : inWindow(t, query)), isNotNull(from.keyId)];
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

/** Totals per organization key; whole UTC days (every front's window) from the rollup, a few thousand rows a month. */
function totalsByKey(dialect: Dialect, window: Window): Promise<ReportedKeyTotal[]> {
  const { db, sum } = dialect;
  const { usageReported: t, usageReportedDaily: d } = dialect.tables;
  const days = wholeDays(window);
  const from = days ? d : t;
  const conditions = days ? inDays(d, days) : inWindow(t, window);
  return (
    db
      .select({
        org: from.org,
        orgKeyId: from.orgKeyId,
        keyId: from.keyId,
        inputTokens: sum(from.uncachedInputTokens),
        outputTokens: sum(from.outputTokens),
        cacheCreationTokens:
          sql<number>`${sum(from.cacheCreation5mTokens)} + ${sum(from.cacheCreation1hTokens)}`.mapWith(
            Number,
          ),
        cacheReadTokens: sum(from.cacheReadTokens),
        webSearchRequests: sum(from.webSearchRequests),
        costUsd: sum(from.costUsd),
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
}
