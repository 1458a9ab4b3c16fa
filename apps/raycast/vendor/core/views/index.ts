// Vendored from packages/core/src/views/index.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
// What the fronts render, as the app returns it: import these instead of redeclaring them. Every judgement in them
// (budget state, rotation due, the upstream plan, the usage window) is made in core.
export type { AuditEntry, BudgetMode, KeyKind, KeyStatus, ValidationOutcome } from "../domain.ts";
export type { DeactivationOutcome } from "../rotation/deactivate.ts";
export type { RotateInput, RotateResult } from "../rotation/rotate.ts";
export type { UpstreamPlan } from "../rotation/upstream-plan.ts";
export type { TokenView } from "../tokens/admin.ts";

import type { BudgetStatus } from "../usage/budget.ts";

export type { UsageGroupBy, UsageSummaryRow } from "../usage/port.ts";
export type { UsageReport, UsageReportOptions } from "../usage/report.ts";
export type { ValidationResult } from "../validate/classify.ts";
export type { AddKeyInput, AddKeyResult } from "../vault/keys.ts";
export type { StatusReport } from "../vault/status.ts";
export type { KeyView } from "../vault/views.ts";
export type { KeyListItem } from "./key-list.ts";
export type { BudgetStatus };

/** A key's budget state: `over` only strictly past 100 % (usage/budget.ts). */
export type BudgetState = BudgetStatus["state"];
