// Vendored from packages/core/src/usage/budget-admin.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { DEFAULT_PROFILE } from "../domain.ts";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import type { Store } from "../store.ts";
import type { Vault } from "../vault/vault.ts";
import { checkBudgetUsd } from "./money.ts";

export interface SetBudgetInput {
  name: string;
  profile?: string;
  /** USD per UTC calendar month; must be positive (see money.ts; text from a person goes through parseUsd). */
  usd: number;
  /** `block` refuses requests past the budget; `warn` (default) only warns. */
  mode?: "warn" | "block";
}

function findKey(tx: Store, name: string, profile: string) {
  return tx.keys.byName(profile, name);
}

function notFound(name: string, profile: string): ApikeyError {
  return new ApikeyError(ERROR_CODES.KEY_NOT_FOUND, `No key named "${name}" in profile "${profile}".`, {
    details: { key: name, profile },
  });
}

/** Sets a key's monthly budget and mode: one transaction, audited as `key.budget`. */
export async function setBudget(vault: Vault, input: SetBudgetInput) {
  const profile = input.profile ?? DEFAULT_PROFILE;
  const usd = checkBudgetUsd(input.usd);
  const mode = input.mode ?? "warn";
  return vault.store.transaction(async (tx) => {
    const key = await findKey(tx, input.name, profile);
    if (!key) throw notFound(input.name, profile);
    await tx.keys.update(key.id, { monthlyBudgetUsd: usd, budgetMode: mode, updatedAt: vault.now() });
    await vault.auditIn(tx, "key.budget", key.id, profile, {
      name: key.name,
      budgetUsd: usd,
      mode,
      previousBudgetUsd: key.monthlyBudgetUsd,
      previousMode: key.budgetMode,
    });
    return { ...key, monthlyBudgetUsd: usd, budgetMode: mode };
  });
}

/** Removes a key's budget (back to warn mode): one transaction, audited as `key.budget`. */
export async function clearBudget(vault: Vault, name: string, profile: string = DEFAULT_PROFILE) {
  return vault.store.transaction(async (tx) => {
    const key = await findKey(tx, name, profile);
    if (!key) throw notFound(name, profile);
    await tx.keys.update(key.id, { monthlyBudgetUsd: null, budgetMode: "warn", updatedAt: vault.now() });
    await vault.auditIn(tx, "key.budget", key.id, profile, {
      name: key.name,
      budgetUsd: null,
      mode: "warn",
      previousBudgetUsd: key.monthlyBudgetUsd,
      previousMode: key.budgetMode,
    });
    return { ...key, monthlyBudgetUsd: null, budgetMode: "warn" as const };
  });
}
