import { pathToFileURL } from "node:url";
import { Action, ActionPanel, Color, Detail, environment, Icon, Keyboard } from "@raycast/api";
import { useEffect, useState } from "react";
import { useUsage } from "../data/hooks.ts";
import type { UsageRow, UsageSummary } from "../data/types.ts";
import { formatUsdColumn, shownTokens } from "../../vendor/core/index.ts";
import { BUDGET_WORDS, usd } from "../lib/format.ts";
import { errorHint, unavailableHint } from "../lib/hints.ts";
import { usageChartSvg, writeUsageChart } from "../lib/usage-chart.ts";
import { UnavailableView } from "./unavailable.tsx";

const BUDGET_COLOR = { none: Color.SecondaryText, ok: Color.Green, warn: Color.Orange, over: Color.Red } as const;
const tokens = (n: number) => n.toLocaleString("en-US");

function table(title: string, rows: UsageRow[]): string {
  if (rows.length === 0) return "";
  const sorted = rows.slice().sort((a, b) => b.costUsd - a.costUsd);
  // One precision for the whole cost column (core's money rule): $0.0400 above $0.0088, never $0.04.
  const cost = formatUsdColumn(sorted.map((r) => r.costUsd));
  const lines = sorted.map(
    (r, i) => `| ${r.label} | ${r.requests} | ${tokens(r.inputTokens)} | ${tokens(r.outputTokens)} | ${cost[i]} |`,
  );
  return [`### ${title}`, "", "| | Requests | Input | Output | Cost |", "|---|---:|---:|---:|---:|", ...lines, ""].join(
    "\n",
  );
}

/** Recorded by apikey beside reported by Anthropic, per key, every amount in one precision (core's money rule). */
function reportedTable(reported: UsageSummary["reported"]): string {
  if (!reported) return "";
  const { lines, totals } = reported;
  const money = formatUsdColumn([
    ...lines.flatMap((l) => [l.recordedUsd ?? 0, l.reportedUsd ?? 0, l.notRecordedUsd]),
    totals.recorded.costUsd,
    totals.reported.costUsd,
    totals.notRecordedUsd,
  ]);
  const cell = (i: number, usd: number | null, count: number | null) =>
    usd === null ? "—" : `${money[i]} (${tokens(count ?? 0)} tokens)`;
  const rows = lines.map(
    (l, i) =>
      `| ${l.label} | ${cell(3 * i, l.recordedUsd, l.recordedTokens)} | ${cell(3 * i + 1, l.reportedUsd, l.reportedTokens)} | ${money[3 * i + 2]} |`,
  );
  const t = 3 * lines.length;
  rows.push(
    `| **Total** | ${cell(t, totals.recorded.costUsd, shownTokens(totals.recorded))} | ${cell(t + 1, totals.reported.costUsd, shownTokens(totals.reported))} | ${money[t + 2]} |`,
  );
  return [
    "### Recorded vs Reported by Anthropic",
    "",
    "| | Recorded | Reported | Not Recorded |",
    "|---|---:|---:|---:|",
    ...rows,
    "",
    "Input + output tokens. `apikey usage sync` refreshes what Anthropic reported.",
    "",
  ].join("\n");
}

// Markdown's punctuation, escaped: a finding can carry an organization key's name, typed by anyone in the Console,
// which must not become a link or a remote image in the view.
const literal = (text: string) => text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`);

/** Findings over reported usage (issue 24), in core's words. */
function findingsList(findings: readonly string[]): string {
  if (findings.length === 0) return "";
  return [
    "### Needs Attention",
    "",
    ...findings.map((f) => `- ${literal(f)}`),
    "",
    "`apikey usage check` lists them with what to do.",
    "",
  ].join("\n");
}

/** Markdown for the Detail view; the chart is a file the command wrote beforehand. */
export function usageMarkdown(u: UsageSummary, chartPath: string | null): string {
  const parts = [`## Spend, last ${u.days} days: ${usd(u.totals.costUsd)}`, ""];
  if (chartPath) parts.push(`![Spend per day](${pathToFileURL(chartPath).href})`, "");
  if (u.totals.requests === 0) parts.push("No requests recorded in this window.", "");
  parts.push(table("By Model", u.byModel), table("By Key", u.byKey), table("By Gateway Token", u.byToken));
  parts.push(findingsList(u.findings), reportedTable(u.reported));
  if (u.totals.unpricedRequests > 0)
    parts.push(`${u.totals.unpricedRequests} request(s) used a model without a known price.`);
  return parts.join("\n");
}

/**
 * The chart file for the data on screen, written after render (an effect); null until written, or when it could not
 * be (the tables still show). A stale path is never shown for new data: the state remembers which data it drew.
 */
function useUsageChart(data: UsageSummary | undefined, days: 7 | 30): string | null {
  const [chart, setChart] = useState<{ data: UsageSummary; path: string } | null>(null);
  useEffect(() => {
    if (!data) return;
    let live = true;
    const ink = environment.appearance === "light" ? "#333333" : "#CCCCCC";
    writeUsageChart(environment.supportPath, days, usageChartSvg(data.daily, { ink })).then(
      (path) => live && setChart({ data, path }),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [data, days]);
  return chart && chart.data === data ? chart.path : null;
}

/** `navigationTitle` only when pushed: a root command shows its own title (Store review). */
export function UsageView({ initialDays = 30, navigationTitle }: { initialDays?: 7 | 30; navigationTitle?: string }) {
  const [days, setDays] = useState<7 | 30>(initialDays);
  const { data, isLoading, error, revalidate } = useUsage(days);

  const chart = useUsageChart(data, days);

  const hint = error ? unavailableHint(error) : null;
  if (hint) return <UnavailableView hint={hint} />;

  let markdown = isLoading && !data ? "" : `Could not load usage: ${error ? errorHint(error).title : "no data"}`;
  if (data) markdown = usageMarkdown(data, chart);
  return (
    <Detail
      isLoading={isLoading}
      navigationTitle={navigationTitle}
      markdown={markdown}
      metadata={
        data ? (
          <Detail.Metadata>
            <Detail.Metadata.Label title="Spend" text={usd(data.totals.costUsd)} />
            <Detail.Metadata.Label title="Requests" text={String(data.totals.requests)} />
            <Detail.Metadata.Label title="Input Tokens" text={tokens(data.totals.inputTokens)} />
            <Detail.Metadata.Label title="Output Tokens" text={tokens(data.totals.outputTokens)} />
            {data.budgets.length > 0 ? <Detail.Metadata.Separator /> : null}
            {data.budgets.map((b) => (
              <Detail.Metadata.TagList key={`${b.profile}/${b.key}`} title={`Budget: ${b.key} (${b.profile})`}>
                <Detail.Metadata.TagList.Item
                  text={`${usd(b.spentUsd)} / ${usd(b.budgetUsd)}: ${BUDGET_WORDS[b.state]}`}
                  color={BUDGET_COLOR[b.state]}
                />
              </Detail.Metadata.TagList>
            ))}
          </Detail.Metadata>
        ) : null
      }
      actions={
        <ActionPanel>
          <Action
            title={days === 30 ? "Show 7 Days" : "Show 30 Days"}
            icon={Icon.Calendar}
            onAction={() => setDays(days === 30 ? 7 : 30)}
          />
          <Action
            title="Refresh"
            icon={Icon.ArrowClockwise}
            shortcut={Keyboard.Shortcut.Common.Refresh}
            onAction={revalidate}
          />
        </ActionPanel>
      }
    />
  );
}
