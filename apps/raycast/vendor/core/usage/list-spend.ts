// Vendored from packages/core/src/usage/list-spend.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { KeyMetadata } from "../domain.ts";
import type { Vault } from "../vault/vault.ts";
import type { KeyView } from "../vault/views.ts";
import { type BudgetStatus, toBudgetStatus } from "./budget.ts";
import { monthSpendByKey } from "./month-spend.ts";

export interface MonthSpendFields {
  /**
   * Month to date (UTC): the larger of what apikey recorded and what Anthropic reported (what budgets compare);
   * null for the read-only environment key.
   */
  spendMonthUsd: number | null;
  /** The two sides of it; null for the read-only environment key. */
  spendMonthRecordedUsd: number | null;
  spendMonthReportedUsd: number | null;
  budgetUsd: number | null;
  budgetMode: "warn" | "block";
  budgetState: BudgetStatus["state"];
  /** Spend against the budget (1 = all of it), for bars and percentages; null without a budget. */
  budgetRatio: number | null;
  /** Set when the person should hear about the budget (80 % and over). */
  budgetMessage: string | null;
}

/**
 * Adds month-to-date spend and budget use to listed keys: three queries, whatever the number of keys; two when the
 * caller passes the key rows it listed them from (`records`, which must hold every listed key).
 */
export async function withMonthSpend<K extends KeyView>(
  vault: Vault,
  keys: K[],
  listed?: KeyMetadata[],
): Promise<Array<K & MonthSpendFields>> {
  const [spend, records] = await Promise.all([
    monthSpendByKey(vault.store, vault.now()),
    listed ?? vault.store.keys.list({ secrets: false }),
  ]);
  const byId = new Map(records.map((r) => [r.id, r]));
  return keys.map((k) => {
    const record = byId.get(k.id);
    if (k.readOnly || !record) {
      return {
        ...k,
        spendMonthUsd: null,
        spendMonthRecordedUsd: null,
        spendMonthReportedUsd: null,
        budgetUsd: null,
        budgetMode: "warn",
        budgetState: "none",
        budgetRatio: null,
        budgetMessage: null,
      };
    }
    const sides = spend.get(k.id);
    const status = toBudgetStatus(record, sides?.spentUsd ?? 0);
    return {
      ...k,
      spendMonthUsd: status.spentUsd,
      spendMonthRecordedUsd: sides?.recordedUsd ?? 0,
      spendMonthReportedUsd: sides?.reportedUsd ?? 0,
      budgetUsd: status.budgetUsd,
      budgetMode: status.mode,
      budgetState: status.state,
      budgetRatio: status.ratio,
      budgetMessage: status.message,
    };
  });
}
