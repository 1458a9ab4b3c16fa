// Vendored from packages/core/src/usage/list-spend.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { KeyMetadata } from "../domain.ts";
import type { Vault } from "../vault/vault.ts";
import type { KeyView } from "../vault/views.ts";
import { type BudgetStatus, toBudgetStatus } from "./budget.ts";
import { monthSpendByKey, type SpendSides } from "./month-spend.ts";

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

/** The no-spend fields of the read-only environment key, and of a key with no row (nothing to budget). */
const NO_SPEND: MonthSpendFields = {
  spendMonthUsd: null,
  spendMonthRecordedUsd: null,
  spendMonthReportedUsd: null,
  budgetUsd: null,
  budgetMode: "warn",
  budgetState: "none",
  budgetRatio: null,
  budgetMessage: null,
};

/** One listed key's spend fields: `record` is its row (undefined for the environment's key), `sides` its spend. */
export function monthSpendFields(
  key: KeyView,
  record: KeyMetadata | undefined,
  sides: SpendSides | undefined,
): MonthSpendFields {
  if (key.readOnly || !record) return { ...NO_SPEND };
  const status = toBudgetStatus(record, sides?.spentUsd ?? 0);
  return {
    spendMonthUsd: status.spentUsd,
    spendMonthRecordedUsd: sides?.recordedUsd ?? 0,
    spendMonthReportedUsd: sides?.reportedUsd ?? 0,
    budgetUsd: status.budgetUsd,
    budgetMode: status.mode,
    budgetState: status.state,
    budgetRatio: status.ratio,
    budgetMessage: status.message,
  };
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
  return keys.map((k) => ({ ...k, ...monthSpendFields(k, byId.get(k.id), spend.get(k.id)) }));
}
