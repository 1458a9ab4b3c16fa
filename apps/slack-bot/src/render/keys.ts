import {
  type AuditEntry,
  type BudgetState,
  type DeactivationOutcome,
  formatUsd,
  type KeyListItem,
  NO_ADMIN_KEY_REASON,
  type UsageReport,
} from "@apikey/core";
import { bold, context, esc, section } from "./blocks.ts";
import { type Item, sections } from "./paging.ts";

// Lists, status, usage and audit as Block Kit. Keys appear masked only (KeyListItem has no secret to show). Each returns
// items of content that a caller pages (paging.ts): any length fits Slack's limits.

const usd = (n: number | null | undefined) => (n === null || n === undefined ? "—" : formatUsd(n));
const when = (iso: string | null) => (iso ? iso.slice(0, 16).replace("T", " ") : "never");

/** How each budget state core decides (usage/budget.ts: `over` only strictly past 100 %) is marked. */
const BUDGET_MARK: Record<BudgetState, string> = {
  none: "",
  ok: "",
  warn: " :warning:",
  over: " :red_circle:",
};
const BUDGET_NOTE: Record<BudgetState, string | null> = {
  none: null,
  ok: null,
  warn: ":warning: near its budget",
  over: ":red_circle: over budget",
};

/** A ten-cell bar for spend against budget, full past 100 %, marked with the key's budget state. */
export function spendBar(k: Pick<KeyListItem, "budgetRatio" | "budgetState">): string {
  if (k.budgetRatio === null) return "";
  const filled = Math.min(10, Math.round(k.budgetRatio * 10));
  const percent = Math.floor(k.budgetRatio * 100);
  return `\`${"█".repeat(filled)}${"░".repeat(10 - filled)}\` ${percent} %${BUDGET_MARK[k.budgetState]}`;
}

export function keyLine(k: KeyListItem): string {
  const parts = [
    `${k.active ? ":white_check_mark:" : ":white_small_square:"} ${bold(k.name)}`,
    `\`${esc(k.masked)}\``,
    k.status === "active" ? null : `_${k.status}_`,
    k.kind === "api" ? null : k.kind,
    `last used ${when(k.lastUsedAt)}`,
    k.budgetUsd !== null
      ? `${usd(k.spendMonthUsd)} / ${usd(k.budgetUsd)} this month`
      : `${usd(k.spendMonthUsd)} this month`,
    BUDGET_NOTE[k.budgetState],
    k.rotationDue ? ":hourglass: rotation due" : null,
  ];
  return parts.filter(Boolean).join(" · ");
}

export function keyList(keys: KeyListItem[], profiles: string[], empty: string): Item[] {
  if (keys.length === 0) return [{ block: section(empty) }];
  const items: Item[] = [];
  for (const profile of profiles) {
    const inProfile = keys.filter((k) => k.profile === profile);
    if (inProfile.length === 0) continue;
    items.push(...sections(`Profile ${bold(profile)}`, inProfile.map(keyLine)));
  }
  return items;
}

export const KEY_LIST_FOOTER = () =>
  context(":white_check_mark: marks each profile's active key. Keys are always masked.");

/**
 * What an owed upstream deactivation asks of whom. One waiting for a person (no Admin key in the profile, or an
 * attempt Anthropic refused) says what to do, not just a state: only a pending one is the bot's to finish.
 */
export function owedLine(d: DeactivationOutcome): string {
  const name = bold(d.keyName ?? "?");
  if (d.state === "pending")
    return `:hourglass: The old key of ${name} is deactivated at Anthropic by the bot when its grace period ends.`;
  if (d.error === null || d.error === NO_ADMIN_KEY_REASON)
    return `:lock: The old key of ${name} still works at Anthropic: deactivate it in the Anthropic Console (this profile has no Admin key, so the bot cannot).`;
  return `:warning: The bot could not deactivate the old key of ${name} at Anthropic (${esc(d.error)}): deactivate it in the Anthropic Console.`;
}

export function statusBlocks(keys: KeyListItem[], profiles: string[], owed: DeactivationOutcome[]): Item[] {
  const items: Item[] = [];
  for (const profile of profiles) {
    const inProfile = keys.filter((k) => k.profile === profile);
    const active = inProfile.find((k) => k.active);
    const lines = [
      active ? `active: ${bold(active.name)} \`${esc(active.masked)}\`` : "no active key",
      ...inProfile
        .filter((k) => k.budgetUsd !== null)
        .map((k) => `${bold(k.name)} ${spendBar(k)} of ${usd(k.budgetUsd)}`),
      ...inProfile.filter((k) => k.rotationDue).map((k) => `:hourglass: ${bold(k.name)} is due for rotation`),
      ...owed.filter((d) => d.profile === profile).map(owedLine),
    ];
    items.push(...sections(`Profile ${bold(profile)}`, lines));
  }
  return items.length ? items : [{ block: section("You may not see any profile.") }];
}

type UsageRow = UsageReport["rows"][number];

/** Every counter of a row or of the totals, cache writes and reads included (core's usage vocabulary). */
const tokens = (r: Omit<UsageRow, "group">) =>
  `${r.inputTokens} in / ${r.outputTokens} out / ${r.cacheCreationTokens} cache write / ${r.cacheReadTokens} cache read`;

export function usageBlocks(
  rows: UsageRow[],
  totals: UsageReport["totals"],
  title: string,
  label: (g: string) => string,
): { items: Item[]; footer: ReturnType<typeof context> } {
  const lines = rows.map(
    (r) => `${esc(label(r.group))}: ${usd(r.costUsd)} · ${r.requests} requests · ${tokens(r)}`,
  );
  return {
    items: sections(`*${esc(title)}*`, lines.length ? lines : ["No usage recorded."]),
    footer: context(
      `Total ${usd(totals.costUsd)} · ${totals.requests} requests · ${tokens(totals)} · estimates from token counts`,
    ),
  };
}

export function auditLine(r: AuditEntry): string {
  const at = typeof r.at === "string" ? r.at : r.at.toISOString();
  const name = typeof r.details.name === "string" ? ` ${bold(r.details.name)}` : "";
  return `\`${at.slice(0, 16).replace("T", " ")}\` ${esc(r.action)}${name}${r.profile ? ` in ${bold(r.profile)}` : ""} — ${esc(r.actor)} (${esc(r.front)})`;
}

export function auditBlocks(rows: AuditEntry[], heading = "*Audit log*"): Item[] {
  if (rows.length === 0) return [{ block: section("No audit entries.") }];
  return sections(heading, rows.map(auditLine));
}
