// Usage accounting, cost estimates and budgets (issue 3). The instrumented SDK client lives in ./client.ts and
// loads the SDK lazily, so importing this module stays cheap for the gateway and the CLI.
export {
  type AnthropicErrorResponse,
  BUDGET_WARN_RATIO,
  type BudgetStatus,
  budgetExceededApikeyError,
  budgetExceededError,
  budgetHeldError,
  budgetState,
  budgetStatus,
  toBudgetStatus,
} from "./budget.ts";
export { clearBudget, type SetBudgetInput, setBudget } from "./budget-admin.ts";
export { type AnthropicClientOptions, createAnthropicClient } from "./client.ts";
export {
  applyApiCounts,
  COUNTER_FIELDS,
  COUNTER_KEYS,
  COUNTERS,
  type CounterField,
  type CounterKey,
  type Counts,
  countsOf,
  isTokenCount,
  MAX_TOKEN_COUNT,
  refusalReason,
  tokenCount,
} from "./counts.ts";
export {
  createUsageExtractor,
  type ExtractedUsage,
  type ExtractorOptions,
  emptyUsage,
  type UsageExtractor,
  usageFromJson,
} from "./extract.ts";
export { type Hold, type Reservations, reservations } from "./holds.ts";
export { type MonthSpendFields, withMonthSpend } from "./list-spend.ts";
export {
  checkBudgetUsd,
  formatUsd,
  formatUsdColumn,
  MAX_BUDGET_USD,
  parseUsd,
  usdDecimals,
  usdOrNull,
} from "./money.ts";
export type {
  KeySpend,
  TokenSpend,
  UsageEvent,
  UsageGroupBy,
  UsageRepository,
  UsageSummaryRow,
  UsageWindow,
} from "./port.ts";
export {
  costOf,
  DEFAULT_PRICES,
  type ModelPrice,
  type PriceTable,
  priceOf,
  type TokenCounts,
} from "./prices.ts";
export {
  type LastUsedMemory,
  lastUsedMemory,
  recordEventsMany,
  recordUsage,
  recordUsageMany,
  toEvent,
  type UsageInput,
  usageRefusal,
} from "./record.ts";
export {
  fillDays,
  type KeyMonthSpend,
  monthToDate,
  totalsOf,
  type UsageReport,
  type UsageReportOptions,
  usageReport,
} from "./report.ts";
export { lastDaysSince, MAX_LAST_DAYS, monthWindow, parseSince, utcDay } from "./window.ts";
export {
  boundFromBody,
  DEFAULT_MAX_OUTPUT_TOKENS,
  dearestPrice,
  type RequestBound,
  worstCaseCost,
} from "./worst-case.ts";
