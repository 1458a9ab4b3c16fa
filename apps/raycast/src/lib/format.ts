import { formatUsd } from "../../vendor/core/index.ts";
import type { BudgetState, KeyItem } from "../data/types.ts";

// Pure formatting shared by the commands: what a person reads, kept out of the components so it is testable alone.

export const usd = (n: number): string => formatUsd(n);

export function spendText(key: Pick<KeyItem, "spendMonthUsd" | "budgetUsd">): string | null {
  if (key.budgetUsd !== null) return `${usd(key.spendMonthUsd ?? 0)} / ${usd(key.budgetUsd)}`;
  if (key.spendMonthUsd !== null && key.spendMonthUsd > 0) return usd(key.spendMonthUsd);
  return null;
}

export const BUDGET_WORDS: Record<BudgetState, string> = {
  none: "No budget",
  ok: "Within budget",
  warn: "Near budget (80% or more)",
  over: "Over budget",
};

const VALIDATION_WORDS: Record<string, string> = {
  valid: "Valid",
  invalid: "Invalid",
  forbidden: "Forbidden",
  rate_limited: "Valid, rate limited",
  billing: "Billing problem",
  unverified: "Not verified",
};

export const validationText = (outcome: string | null): string =>
  outcome === null ? "Never validated" : (VALIDATION_WORDS[outcome] ?? outcome);

/** How far back a date is, for tooltips: "3 days ago". */
export function ago(iso: string, now = new Date()): string {
  const minutes = Math.round((now.getTime() - new Date(iso).getTime()) / 60_000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}
