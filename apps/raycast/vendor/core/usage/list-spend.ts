// Vendored from packages/core/src/usage/list-spend.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { Vault } from "../vault/vault.ts";
import type { KeyView } from "../vault/views.ts";
import { type BudgetStatus, toBudgetStatus } from "./budget.ts";
import { monthToDate } from "./report.ts";

export interface MonthSpendFields {
  /** Month to date (UTC), priced events; null for the read-only environment key. */
  spendMonthUsd: number | null;
  budgetUsd: number | null;
  budgetMode: "warn" | "block";
  budgetState: BudgetStatus["state"];
  /** Spend against the budget (1 = all of it), for bars and percentages; null without a budget. */
  budgetRatio: number | null;
  /** Set when the person should hear about the budget (80 % and over). */
  budgetMessage: string | null;
}

/** Adds month-to-date spend and budget use to listed keys: two queries, whatever the number of keys. */
export async function withMonthSpend<K extends KeyView>(
  vault: Vault,
  keys: K[],
): Promise<Array<K & MonthSpendFields>> {
  const [spend, records] = await Promise.all([
    monthToDate(vault.store, vault.now()),
    vault.store.keys.list(),
  ]);
  const byId = new Map(records.map((r) => [r.id, r]));
  return keys.map((k) => {
    const record = byId.get(k.id);
    if (k.readOnly || !record) {
      return {
        ...k,
        spendMonthUsd: null,
        budgetUsd: null,
        budgetMode: "warn",
        budgetState: "none",
        budgetRatio: null,
        budgetMessage: null,
      };
    }
    const status = toBudgetStatus(record, spend.get(k.id)?.costUsd ?? 0);
    return {
      ...k,
      spendMonthUsd: status.spentUsd,
      budgetUsd: status.budgetUsd,
      budgetMode: status.mode,
      budgetState: status.state,
      budgetRatio: status.ratio,
      budgetMessage: status.message,
    };
  });
}
