// Vendored from packages/core/src/usage-sync/org-of.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { KeyRecord } from "../domain.ts";

// Its own module: `usage check` and `status` read findings per organization without loading the sync (and the
// report schemas it parses with zod).

/** The organization an Admin key reads: its organization when known, else the key itself. */
export function orgOf(admin: Pick<KeyRecord, "organization" | "id">): string {
  return admin.organization ?? `admin-key:${admin.id}`;
}
