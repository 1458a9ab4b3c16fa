import {
  type Apikey,
  describeFinding,
  FINDING_KINDS,
  type Finding,
  type FindingsReport,
  formatUsdColumn,
  parseSince,
} from "@apikey/core";
import type { Command } from "commander";
import type { Action } from "../action.ts";
import { EXIT } from "../io/errors.ts";
import { ago, table } from "../io/output.ts";

// `apikey usage check` (issue 24): the findings over what the last `usage sync` stored — offline, exit 1 when
// there is any, so a cron job or CI step can act on it — and the one-line summary `apikey status` prints.

export function registerUsageCheckCommand(usage: Command, action: Action): void {
  usage
    .command("check")
    .description(
      "findings over Anthropic's reported usage: retired keys still used, gateway-only keys used elsewhere, organization keys not in the store, budgets passed (exit 1 when any)",
    )
    .option("--since <when>", "look at reported usage from here: 7d, 30d or YYYY-MM-DD", "30d")
    .action(
      action(async (ctx, opts: { since: string }) => {
        // As for `usage sync`: a --since written after `check` may land on `usage` itself.
        const written = usage.getOptionValueSource("since") === "cli" ? (usage.opts().since as string) : null;
        const since = parseSince(written ?? opts.since, new Date());
        const report = await (await ctx.app()).usage.findings({ since });
        const findings = report.findings.map((f) => ({ ...f, message: describeFinding(f) }));
        ctx.out.result({ ...report, findings }, () => renderFindings(report));
        return report.findings.length > 0 ? EXIT.FAILURE : EXIT.OK;
      }),
    );
}

function renderFindings(report: FindingsReport): string {
  const lines = [syncLine(report)];
  if (report.findings.length === 0) {
    lines.push("", "No findings.");
    return lines.join("\n");
  }
  const priced = report.findings.flatMap((f) => (costOf(f) === null ? [] : [costOf(f) as number]));
  const column = formatUsdColumn(priced);
  let next = 0;
  const costs = report.findings.map((f) => (costOf(f) === null ? "-" : (column[next++] ?? "")));
  lines.push(
    "",
    table(
      ["KIND", "KEY", "WHEN", "COST"],
      report.findings.map((f, i) => [f.kind, keyLabel(f), whenOf(f), costs[i] ?? ""]),
    ),
    "",
    ...report.findings.map((f) => `- ${describeFinding(f)}`),
  );
  return lines.join("\n");
}

/** When the store last heard from Anthropic, and whether a sync is owed first. */
function syncLine(report: FindingsReport): string {
  if (report.organizations.length === 0)
    return "No Admin key in the store: nothing to check (add one, then run `apikey usage sync`).";
  if (report.lastSyncAt === null) return "Never synced: run `apikey usage sync` first.";
  const last = `Last sync: ${report.lastSyncAt.toISOString()} (${ago(report.lastSyncAt.toISOString())})`;
  return report.syncDue ? `${last}; run \`apikey usage sync\` to refresh.` : `${last}.`;
}

function keyLabel(f: Finding): string {
  if (f.kind === "unknown-org-key") return `${f.name ?? "-"} (${f.hint ?? f.orgKeyId})`;
  return f.key.name === null ? `(deleted ${f.key.id})` : `${f.key.profile}/${f.key.name}`;
}

function whenOf(f: Finding): string {
  switch (f.kind) {
    case "used-after-retired":
      return `since ${f.firstUsedAt.toISOString().slice(0, 16)}Z`;
    case "used-outside-gateway":
      return `${f.day} (${f.hours.length} h)`;
    case "unknown-org-key":
      return "-";
    case "reported-over-budget":
      return f.month;
  }
}

/** What the finding cost, as reported; null for an organization key (the report says nothing about its spend). */
function costOf(f: Finding): number | null {
  if (f.kind === "unknown-org-key") return null;
  return f.kind === "reported-over-budget" ? f.reportedUsd : f.costUsd;
}

type Findings = Awaited<ReturnType<Apikey["usage"]["findings"]>>;

/** `apikey status`'s line: null when there is nothing to say (no Admin key, never synced and nothing found). */
export function findingsSummary(report: Findings): string | null {
  if (report.organizations.length === 0) return null;
  const found = FINDING_KINDS.filter((k) => report.counts[k] > 0).map((k) => `${report.counts[k]} ${k}`);
  const sync = report.syncDue ? "; run `apikey usage sync`" : "";
  if (found.length === 0) return `none${report.lastSyncAt ? "" : " (never synced)"}${sync}`;
  return `${report.findings.length} (${found.join(", ")}): see \`apikey usage check\`${sync}`;
}
