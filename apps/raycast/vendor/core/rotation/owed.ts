// Vendored from packages/core/src/rotation/owed.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { Session } from "../vault/session.ts";
import type { DeactivationOutcome } from "./deactivate.ts";

/** Upstream deactivations still owed (pending, or failed and needing the person), due or not, oldest due first. */
export async function owedDeactivations(
  vault: Session,
  filter: { profile?: string } = {},
): Promise<DeactivationOutcome[]> {
  const rows = (await vault.store.deactivations.list()).filter(
    (d) => d.state !== "done" && (filter.profile === undefined || d.profile === filter.profile),
  );
  return Promise.all(
    rows.map(async (d) => ({
      id: d.id,
      keyId: d.keyId,
      keyName: (await vault.store.keys.byId(d.keyId))?.name ?? null,
      profile: d.profile,
      state: d.state,
      upstreamId: d.upstreamId,
      error: d.lastError,
    })),
  );
}
