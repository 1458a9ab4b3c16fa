// Vendored from packages/storage/src/repositories/touch-forward.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { and, eq, isNull, lt, or } from "drizzle-orm";
import type { Dialect, Tables } from "../dialect.ts";

/** Forward only: a late or back-dated event must not make a key or token look idle longer than it is. */
export async function touchForward(
  dialect: Dialect,
  table: Tables["keys"] | Tables["gatewayTokens"],
  id: string,
  at: Date,
): Promise<void> {
  if (dialect.touchFast(table, id, at)) return;
  await dialect.db
    .update(table)
    .set({ lastUsedAt: at })
    .where(and(eq(table.id, id), or(isNull(table.lastUsedAt), lt(table.lastUsedAt, at))));
}
