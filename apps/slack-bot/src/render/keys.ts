import type { AuditRow, DeactivationRow, KeyRow, UsageRow } from "../core-port.ts";
import { type Block, bold, context, esc, section } from "./blocks.ts";

// Lists, status, usage and audit as Block Kit. Keys appear masked only (KeyRow has no secret to show).

const usd = (n: number | null | undefined) => (n === null || n === undefined ? "—" : `$${n.toFixed(2)}`);
const when = (iso: string | null) => (iso ? iso.slice(0, 16).replace("T", " ") : "never");

/** A ten-cell bar for spend against budget; full and red-marked past 100 %. */
export function spendBar(spend: number | null | undefined, budget: number | null | undefined): string {
  if (!budget || spend === null || spend === undefined) return "";
  const ratio = spend / budget;
  const filled = Math.min(10, Math.round(ratio * 10));
  const mark = ratio >= 1 ? " :red_circle:" : ratio >= 0.8 ? " :warning:" : "";
  return `\`${"█".repeat(filled)}${"░".repeat(10 - filled)}\` ${Math.round(ratio * 100)} %${mark}`;
}

export function keyLine(k: KeyRow): string {
  const parts = [
    `${k.active ? ":white_check_mark:" : ":white_small_square:"} ${bold(k.name)}`,
    `\`${esc(k.masked)}\``,
    k.status === "active" ? null : `_${k.status}_`,
    k.kind === "api" ? null : k.kind,
    `last used ${when(k.lastUsedAt)}`,
    k.budgetUsd
      ? `${usd(k.spendMonthUsd)} / ${usd(k.budgetUsd)} this month`
      : `${usd(k.spendMonthUsd)} this month`,
    k.rotationDue ? ":hourglass: rotation due" : null,
  ];
  return parts.filter(Boolean).join(" · ");
}

export function keyList(keys: KeyRow[], profiles: string[]): Block[] {
  if (keys.length === 0) return [section("No keys you may see yet. `/apikey add` opens a form to add one.")];
  const blocks: Block[] = [];
  for (const profile of profiles) {
    const inProfile = keys.filter((k) => k.profile === profile);
    if (inProfile.length === 0) continue;
    blocks.push(section(`Profile ${bold(profile)}\n${inProfile.map(keyLine).join("\n")}`));
  }
  blocks.push(context(":white_check_mark: marks each profile's active key. Keys are always masked."));
  return blocks;
}

export function statusBlocks(keys: KeyRow[], profiles: string[], owed: DeactivationRow[]): Block[] {
  const blocks: Block[] = [];
  for (const profile of profiles) {
    const inProfile = keys.filter((k) => k.profile === profile);
    const active = inProfile.find((k) => k.active);
    const lines = [
      active ? `active: ${bold(active.name)} \`${esc(active.masked)}\`` : "no active key",
      ...inProfile
        .filter((k) => k.budgetUsd)
        .map((k) => `${bold(k.name)} ${spendBar(k.spendMonthUsd, k.budgetUsd)} of ${usd(k.budgetUsd)}`),
      ...inProfile.filter((k) => k.rotationDue).map((k) => `:hourglass: ${bold(k.name)} is due for rotation`),
      ...owed
        .filter((d) => d.profile === profile)
        .map((d) => `:lock: old key of ${bold(d.keyName ?? "?")} owed deactivation (${d.state})`),
    ];
    blocks.push(section(`Profile ${bold(profile)}\n${lines.join("\n")}`));
  }
  return blocks.length ? blocks : [section("You may not see any profile.")];
}

export function usageBlocks(
  rows: UsageRow[],
  totals: Omit<UsageRow, "group">,
  title: string,
  label: (g: string) => string,
): Block[] {
  const lines = rows.map(
    (r) =>
      `${esc(label(r.group))}: ${usd(r.costUsd)} · ${r.requests} requests · ${r.inputTokens} in / ${r.outputTokens} out`,
  );
  return [
    section(`*${title}*\n${lines.length ? lines.join("\n") : "No usage recorded."}`),
    context(`Total ${usd(totals.costUsd)} · ${totals.requests} requests · estimates from token counts`),
  ];
}

export function auditBlocks(rows: AuditRow[]): Block[] {
  if (rows.length === 0) return [section("No audit entries.")];
  const line = (r: AuditRow) => {
    const at = typeof r.at === "string" ? r.at : r.at.toISOString();
    const name = typeof r.details.name === "string" ? ` ${bold(r.details.name)}` : "";
    return `\`${at.slice(0, 16).replace("T", " ")}\` ${esc(r.action)}${name}${r.profile ? ` in ${bold(r.profile)}` : ""} — ${esc(r.actor)} (${esc(r.front)})`;
  };
  return [section(rows.map(line).join("\n"))];
}
