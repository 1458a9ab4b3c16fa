// Vendored from packages/storage/src/repositories/audit.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { AuditRepository } from "../../core/store.ts";
import { and, desc, eq, gte, type SQL } from "drizzle-orm";
import type { Dialect } from "../dialect.ts";
import { auditFromRow, auditToRow } from "../rows.ts";

export function auditRepository({ db, tables: { auditLog } }: Dialect): AuditRepository {
  return {
    async append(entry) {
      await db.insert(auditLog).values(auditToRow(entry));
    },
    async list(filter = {}) {
      const conditions: SQL[] = [];
      if (filter.keyId !== undefined) conditions.push(eq(auditLog.keyId, filter.keyId));
      if (filter.since !== undefined) conditions.push(gte(auditLog.at, filter.since));
      const query = db
        .select()
        .from(auditLog)
        .where(and(...conditions))
        .orderBy(desc(auditLog.at), desc(auditLog.id));
      const rows = await (filter.limit === undefined ? query : query.limit(filter.limit));
      return rows.map(auditFromRow);
    },
  };
}
