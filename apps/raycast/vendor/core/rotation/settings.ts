// Vendored from packages/core/src/rotation/settings.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { Session } from "../vault/session.ts";
import { checkMaxAgeDays, getMaxAgeDays, MAX_AGE_SETTING } from "./due.ts";

/** Sets the age after which keys are flagged as due for rotation (0 = never). Audited like every change. */
export async function setMaxAgeDays(vault: Session, days: number): Promise<{ from: number; to: number }> {
  const to = checkMaxAgeDays(days);
  return vault.store.transaction(async (tx) => {
    const from = await getMaxAgeDays(tx);
    await tx.settings.set(MAX_AGE_SETTING, to, vault.now());
    await vault.auditIn(tx, "settings.set", null, null, { name: MAX_AGE_SETTING, from, to });
    return { from, to };
  });
}
