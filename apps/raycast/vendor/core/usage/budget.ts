// Vendored from packages/core/src/usage/budget.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { BudgetMode } from "../domain.ts";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import type { Store } from "../store.ts";
import { formatUsd } from "./money.ts";
import { keySpend } from "./month-spend.ts";
import { monthWindow } from "./window.ts";

/** Warn from this share of the budget on. */
export const BUDGET_WARN_RATIO = 0.8;

export interface BudgetStatus {
  keyId: string;
  budgetUsd: number | null;
  mode: BudgetMode;
  /** Month to date (UTC calendar month): the larger of recorded and reported spend, priced usage only. */
  spentUsd: number;
  /** spent / budget; null without a budget. */
  ratio: number | null;
  state: "none" | "ok" | "warn" | "over";
  /** Over budget in block mode: new requests are refused. */
  blocked: boolean;
  /** For people: set when state is warn or over. */
  message: string | null;
}

const usd = (n: number): string => formatUsd(n);

/** Pure: the state for a spend against a budget. `warn` from 80 %, `over` strictly past 100 %. */
export function budgetState(spentUsd: number, budgetUsd: number | null): BudgetStatus["state"] {
  if (budgetUsd === null) return "none";
  if (spentUsd > budgetUsd) return "over";
  if (spentUsd >= budgetUsd * BUDGET_WARN_RATIO) return "warn";
  return "ok";
}

/** Pure: the full status from a key's budget settings and its month-to-date spend. */
export function toBudgetStatus(
  key: { id: string; name: string; monthlyBudgetUsd: number | null; budgetMode: BudgetMode },
  spentUsd: number,
): BudgetStatus {
  const budgetUsd = key.monthlyBudgetUsd;
  const state = budgetState(spentUsd, budgetUsd);
  const ratio = budgetUsd === null ? null : budgetUsd > 0 ? spentUsd / budgetUsd : spentUsd > 0 ? 1 : 0;
  const blocked = state === "over" && key.budgetMode === "block";
  let message: string | null = null;
  if (budgetUsd !== null && state === "warn") {
    message = `Key "${key.name}" has used ${Math.floor((ratio ?? 0) * 100)}% of its ${usd(budgetUsd)} monthly budget (${usd(spentUsd)} spent this month).`;
  } else if (budgetUsd !== null && state === "over") {
    message =
      `Key "${key.name}" is over its ${usd(budgetUsd)} monthly budget: ${usd(spentUsd)} spent this month (UTC).` +
      (blocked
        ? " Requests are refused until the month ends, or until the budget is raised or cleared."
        : " Raise the budget to stop this warning.");
  }
  return { keyId: key.id, budgetUsd, mode: key.budgetMode, spentUsd, ratio, state, blocked, message };
}

/**
 * Month-to-date spend of a key against its budget: the larger of recorded and reported (./month-spend.ts). A key
 * that no longer exists has no budget.
 */
export async function budgetStatus(store: Store, keyId: string, now: Date): Promise<BudgetStatus> {
  const key = await store.keys.byId(keyId);
  if (!key) return toBudgetStatus({ id: keyId, name: keyId, monthlyBudgetUsd: null, budgetMode: "warn" }, 0);
  return toBudgetStatus(key, (await keySpend(store, monthWindow(now), keyId)).spentUsd);
}

export interface AnthropicErrorResponse {
  status: 429 | 402 | 400;
  headers: Record<string, string>;
  body: { type: "error"; error: { type: string; message: string } };
}

/**
 * What the gateway answers (and the instrumented client throws) for a key over a blocking budget.
 *
 * 402 `billing_error`, the API's own answer when an account cannot pay: clients already treat it as "stop, a
 * person must act". Not 429 `rate_limit_error`: the SDKs and Claude Code retry 429 with backoff, which would
 * hammer the gateway until the month ends. `x-should-retry: false` tells the official SDKs not to retry.
 */
export function budgetExceededError(status: BudgetStatus, keyName: string): AnthropicErrorResponse {
  const budget = status.budgetUsd ?? 0;
  const message =
    `apikey: the monthly budget of key "${keyName}" is ${usd(budget)} and ${usd(status.spentUsd)} has been spent this month (UTC); ` +
    "requests with this key are refused until the month ends, or until its owner raises or clears the budget.";
  return {
    status: 402,
    headers: { "x-should-retry": "false" },
    body: { type: "error", error: { type: "billing_error", message } },
  };
}

/**
 * What the instrumented client answers when the recorded spend is within a blocking budget but what its requests in
 * flight may still cost is not: 429 `rate_limit_error` with `retry-after`, since a retry once they have finished
 * may well go through.
 */
export function budgetHeldError(status: BudgetStatus, keyName: string): AnthropicErrorResponse {
  const budget = status.budgetUsd ?? 0;
  const message =
    `apikey: key "${keyName}" has spent ${usd(status.spentUsd)} of its ${usd(budget)} monthly budget this month (UTC), ` +
    "and requests in flight may use the rest; retry when they have finished.";
  return {
    status: 429,
    headers: { "retry-after": "1" },
    body: { type: "error", error: { type: "rate_limit_error", message } },
  };
}

/** The same refusal as a coded error, for fronts that render ApikeyErrors. */
export function budgetExceededApikeyError(status: BudgetStatus, keyName: string): ApikeyError {
  return new ApikeyError(
    ERROR_CODES.BUDGET_EXCEEDED,
    `Key "${keyName}" is over its ${usd(status.budgetUsd ?? 0)} monthly budget (${usd(status.spentUsd)} spent this month).`,
    {
      hint: "Raise or clear the budget, or wait for the month to end.",
      details: { key: keyName, budgetUsd: status.budgetUsd ?? 0, spentUsd: status.spentUsd },
    },
  );
}
