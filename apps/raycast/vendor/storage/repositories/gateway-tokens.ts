// Vendored from packages/storage/src/repositories/gateway-tokens.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { ApikeyError } from "../../core/errors.ts";
import type { GatewayTokenRepository } from "../../core/tokens/index.ts";
import { and, asc, eq, getTableName, isNull, lt, or } from "drizzle-orm";
import type { StoreDb } from "../drivers/types.ts";
import { driverError, isForeignKeyViolation } from "../errors.ts";
import { rawStatement } from "../raw-statement.ts";
import { tokenFromRow, tokenPatchToRow, tokenToRow } from "../rows.ts";
import { gatewayTokens } from "../schema.ts";

const t = gatewayTokens;
const TOUCH_SQL = `UPDATE ${getTableName(t)} SET ${t.lastUsedAt.name} = ? WHERE ${t.id.name} = ? AND (${t.lastUsedAt.name} IS NULL OR ${t.lastUsedAt.name} < ?)`;

function profileMissing(err: unknown): unknown {
  return isForeignKeyViolation(err)
    ? new ApikeyError("E_PROFILE_NOT_FOUND", "That profile does not exist.", { cause: driverError(err) })
    : err;
}

export function gatewayTokenRepository(db: StoreDb): GatewayTokenRepository {
  return {
    async insert(token) {
      await db
        .insert(t)
        .values(tokenToRow(token))
        .catch((err: unknown) => {
          throw profileMissing(err);
        });
    },
    async update(id, patch) {
      const row = tokenPatchToRow(patch);
      if (Object.keys(row).length === 0) return;
      await db
        .update(t)
        .set(row)
        .where(eq(t.id, id))
        .catch((err: unknown) => {
          throw profileMissing(err);
        });
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
        .orderBy(asc(t.name), asc(t.createdAt));
      return rows.map(tokenFromRow);
    },
    async touchLastUsed(id, at) {
      const raw = rawStatement(db, TOUCH_SQL);
      if (raw) {
        raw.run(at.getTime(), id, at.getTime());
        return;
      }
      await db
        .update(t)
        .set({ lastUsedAt: at })
        .where(and(eq(t.id, id), or(isNull(t.lastUsedAt), lt(t.lastUsedAt, at))));
    },
  };
}
