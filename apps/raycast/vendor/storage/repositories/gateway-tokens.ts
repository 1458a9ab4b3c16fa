// Vendored from packages/storage/src/repositories/gateway-tokens.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { GatewayTokenRepository } from "../../core/store.ts";
import { and, asc, eq, isNull } from "drizzle-orm";
import type { Dialect } from "../dialect.ts";
import { tokenFromRow, tokenPatchToRow, tokenToRow } from "../rows.ts";
import { profileMissing } from "./profile-missing.ts";
import { touchForward } from "./touch-forward.ts";

export function gatewayTokenRepository(dialect: Dialect): GatewayTokenRepository {
  const { db, byteOrder } = dialect;
  const t = dialect.tables.gatewayTokens;
  const rethrow = (err: unknown): never => {
    throw profileMissing(dialect, err);
  };
  return {
    async insert(token) {
      await db.insert(t).values(tokenToRow(token)).catch(rethrow);
    },
    async update(id, patch) {
      const row = tokenPatchToRow(patch);
      if (Object.keys(row).length === 0) return;
      await db.update(t).set(row).where(eq(t.id, id)).catch(rethrow);
    },
    async byName(name) {
      const [row] = await db
        .select()
        .from(t)
        .where(and(eq(t.name, name), isNull(t.revokedAt)))
        .limit(1);
      return row ? tokenFromRow(row) : null;
    },
    async byId(id) {
      const [row] = await db.select().from(t).where(eq(t.id, id)).limit(1);
      return row ? tokenFromRow(row) : null;
    },
    async list(filter = {}) {
      const rows = await db
        .select()
        .from(t)
        .where(filter.includeRevoked ? undefined : isNull(t.revokedAt))
        .orderBy(byteOrder(t.name), asc(t.createdAt));
      return rows.map(tokenFromRow);
    },
    touchLastUsed: (id, at) => touchForward(dialect, t, id, at),
  };
}
