import {
  formatUsdColumn,
  notRecordedUsd,
  type SideBySideRow,
  shownTokens,
  sideBySideTotals,
  subjectOf,
} from "@apikey/core";
import { esc } from "./blocks.ts";
import { type Item, sections } from "./paging.ts";

// What apikey recorded beside what Anthropic reported, per key (issue 24): core's side-by-side rows and totals,
// as lines under the usage answer. Paged like every other list (paging.ts), so a store with hundreds of keys fits.

const HEADING =
  "*Recorded by apikey vs reported by Anthropic* (input + output tokens; `apikey usage sync` refreshes it)";

const count = (n: number | null) => (n === null ? "—" : n.toLocaleString("en-US"));

/** Whom a row is about, in the bot's words: a stored key by its label, the Workbench, or unknown organization keys. */
function labelOf(row: SideBySideRow, keyLabel: (keyId: string) => string): string {
  const subject = subjectOf(row);
  if (subject.kind === "key") return keyLabel(subject.keyId);
  if (subject.kind === "workbench") return "(Console Workbench)";
  return `(not in the store: ${subject.orgKeyIds.join(", ")})`;
}

/**
 * The rows (already cut to what the person may see) and their total, each amount in one precision for the whole
 * answer (core's money rule); [] when nothing was reported in the window.
 */
export function reportedItems(rows: readonly SideBySideRow[], keyLabel: (keyId: string) => string): Item[] {
  if (rows.length === 0) return [];
  const totals = sideBySideTotals(rows);
  const amounts = [
    ...rows.flatMap((r) => [r.recorded?.costUsd ?? 0, r.reported?.costUsd ?? 0, notRecordedUsd(r)]),
    totals.recorded.costUsd,
    totals.reported.costUsd,
    totals.notRecordedUsd,
  ];
  const money = formatUsdColumn(amounts);
  const at = (i: number) => money[i] ?? "";
  const lines = rows.map((r, i) => {
    const recorded = r.recorded ? `${at(3 * i)} (${count(shownTokens(r.recorded))} tokens)` : "—";
    const reported = r.reported ? `${at(3 * i + 1)} (${count(shownTokens(r.reported))} tokens)` : "—";
    return `${esc(labelOf(r, keyLabel))}: recorded ${recorded} · reported ${reported} · not recorded ${at(3 * i + 2)}`;
  });
  const t = 3 * rows.length;
  lines.push(
    `*Reported total* ${at(t + 1)} · ${count(shownTokens(totals.reported))} tokens · recorded ${at(t)} · not recorded ${at(t + 2)}`,
  );
  return sections(HEADING, lines);
}
