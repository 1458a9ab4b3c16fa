import type { Apikey } from "@apikey/core";
import {
  formatUsd,
  formatUsdColumn,
  parseSince,
  parseUsd as parseUsdText,
  toBudgetStatus,
  type UsageGroupBy,
  type UsageReport,
} from "@apikey/core";
import type { Command } from "commander";
import type { Action } from "../action.ts";
import { UsageError } from "../io/errors.ts";
import { table } from "../io/output.ts";
import { barChart } from "./usage-chart.ts";
import { registerUsageCheckCommand } from "./usage-check.ts";
import { registerUsageSyncCommand, renderCosts, renderSideBySide, sideBySideJson } from "./usage-sync.ts";

export { barChart };

const GROUPINGS: readonly UsageGroupBy[] = ["day", "model", "key", "token"];

export function registerUsageCommands(program: Command, action: Action): void {
  const usage = program
    .command("usage")
    .description(
      "tokens and estimated cost per day, model, key or gateway token, with a chart of spend per day",
    )
    .option("--key <name>", "only this key (in --profile)")
    .option("--since <when>", "7d, 30d (days back, today included) or YYYY-MM-DD", "30d")
    .option("--by <group>", "day, model, key or token (gateway token)", "day")
    .action(
      action(async (ctx, opts: { key?: string; since: string; by: string }) => {
        if (!GROUPINGS.includes(opts.by as UsageGroupBy)) {
          throw new UsageError(`--by must be day, model, key or token, not "${opts.by}".`);
        }
        const by = opts.by as UsageGroupBy;
        const app = await ctx.app();
        const now = new Date();
        const since = parseSince(opts.since, now);
        const key = opts.key === undefined ? null : await app.keys.get(opts.key, ctx.profile);
        const report = await app.usage.report({ since, by, ...(key && { keyId: key.id }) });
        const reported = key ? [] : await app.usage.reported({ since });
        const costs = key ? [] : await app.usage.costs({ since });
        const keys = await app.keys.list();
        const names =
          by === "token"
            ? await tokenNames(app)
            : new Map(
                keys.map((k) => [
                  k.id,
                  `${k.profile}/${k.name}${k.status === "rotated" ? " (rotated)" : ""}`,
                ]),
              );
        const rows = report.rows.map((r) => ({
          ...r,
          ...(by === "key" && { key: names.get(r.group) ?? r.group }),
          ...(by === "token" && { token: names.get(r.group) ?? r.group }),
          unpriced: r.unpricedRequests > 0,
        }));
        for (const k of keys) if (k.budgetMessage && (!key || k.id === key.id)) ctx.out.warn(k.budgetMessage);
        ctx.out.result(
          {
            since: report.since.toISOString(),
            until: now.toISOString(),
            by,
            key: key ? { id: key.id, name: key.name, profile: key.profile } : null,
            rows,
            totals: report.totals,
            daily: report.daily,
            ...(reported.length > 0 && { reported: sideBySideJson(reported, keyNames(keys)) }),
            ...(costs.length > 0 && { cost: costs }),
          },
          () =>
            render(report, rows, by, names) + renderSideBySide(reported, keyNames(keys)) + renderCosts(costs),
        );
      }),
    );
  registerUsageSyncCommand(usage, action);
  registerUsageCheckCommand(usage, action);

  const budget = program
    .command("budget")
    .description("monthly spending limits per key (UTC calendar month)");

  budget
    .command("set <name> <usd>")
    .description("set a key's monthly budget in US dollars; warns at 80 %")
    .option("--block", "refuse requests past the budget (gateway and instrumented clients), not just warn")
    .action(
      action(async (ctx, name: string, amount: string, opts: { block?: boolean }) => {
        const usd = parseUsd(amount);
        const app = await ctx.app();
        const key = await app.usage.setBudget({
          name,
          profile: ctx.profile,
          usd,
          mode: opts.block ? "block" : "warn",
        });
        const view = (await app.keys.list({ profile: ctx.profile })).find((k) => k.id === key.id);
        const status = toBudgetStatus(key, view?.spendMonthUsd ?? 0);
        if (status.message) ctx.out.warn(status.message);
        ctx.out.result(
          { key: view, budgetUsd: status.budgetUsd, budgetMode: status.mode, spendMonthUsd: status.spentUsd },
          () =>
            `${key.name}: monthly budget ${money(usd)} (${status.mode === "block" ? "requests refused past it" : "warn only"}); ${money(status.spentUsd)} spent this month.`,
        );
      }),
    );

  budget
    .command("clear <name>")
    .description("remove a key's monthly budget")
    .action(
      action(async (ctx, name: string) => {
        const app = await ctx.app();
        const key = await app.usage.clearBudget(name, ctx.profile);
        const view = await app.keys.get(name, ctx.profile);
        ctx.out.result(
          { key: view, budgetUsd: null, budgetMode: key.budgetMode },
          () => `${key.name}: no monthly budget.`,
        );
      }),
    );
}

/** Dollars as people type them: `50`, `12.5`, `$7.25` (core's one money parser, shared by every front). */
export const parseUsd = parseUsdText;

export const money = (usd: number): string => formatUsd(usd);
const count = (n: number): string => n.toLocaleString("en-US");

/**
 * Where usage comes from, said with every report: only requests that pass through apikey are seen, so a key handed
 * out (apiKeyHelper, exec, env, a reference) spends where apikey cannot count it.
 */
export const USAGE_SOURCES = [
  "Usage is recorded for requests through the gateway (apikey proxy) and apps on the instrumented client",
  "(createAnthropicClient); keys handed out by apiKeyHelper (apikey current), exec, env or apikey:// references",
  "are not seen. To count those, send their requests through the gateway (apikey proxy --help).",
].join("\n");

type ReportRow = UsageReport["rows"][number] & { key?: string; token?: string; unpriced: boolean };

function render(
  report: UsageReport,
  rows: ReportRow[],
  by: UsageGroupBy,
  names: Map<string, string>,
): string {
  if (report.totals.requests === 0) {
    return `No usage since ${report.since.toISOString().slice(0, 10)}.\n${USAGE_SOURCES}`;
  }
  const all = [...rows, { ...report.totals, group: "total" }];
  // One precision for the whole cost column (core's money rule), priced cells only.
  const costs = formatUsdColumn(all.map((r) => r.costUsd));
  const cost = (r: Omit<UsageReport["rows"][number], "group">, i: number) =>
    r.unpricedRequests === r.requests ? "unpriced *" : `${costs[i]}${r.unpricedRequests > 0 ? " *" : ""}`;
  const label = (r: UsageReport["rows"][number], i: number) =>
    i === rows.length ? "total" : by === "key" || by === "token" ? (names.get(r.group) ?? r.group) : r.group;
  const body = table(
    [by.toUpperCase(), "REQUESTS", "INPUT", "OUTPUT", "CACHE WRITE", "CACHE READ", "COST"],
    all.map((r, i) => [
      label(r, i),
      count(r.requests),
      count(r.inputTokens),
      count(r.outputTokens),
      count(r.cacheCreationTokens),
      count(r.cacheReadTokens),
      cost(r, i),
    ]),
  );
  const out = [body];
  if (report.totals.unpricedRequests > 0) {
    out.push(
      `* ${count(report.totals.unpricedRequests)} request(s) on models without a price: tokens counted, cost unknown (not in the total).`,
    );
  }
  out.push("", "Spend per day (UTC):", barChart(report.daily, process.stdout.columns ?? 80));
  out.push("", USAGE_SOURCES);
  return out.join("\n");
}

function keyNames(keys: Awaited<ReturnType<Apikey["keys"]["list"]>>): Map<string, string> {
  return new Map(
    keys.map((k) => [k.id, `${k.profile}/${k.name}${k.status === "rotated" ? " (rotated)" : ""}`]),
  );
}

/** Gateway token names by id (revoked ones too: their usage stays); "" is usage that came without a token. */
async function tokenNames(app: Apikey): Promise<Map<string, string>> {
  const tokens = await app.tokens.list({ includeRevoked: true });
  const names = new Map<string, string>([["", "(no token)"]]);
  for (const t of tokens) names.set(t.id, t.revokedAt ? `${t.name} (revoked)` : t.name);
  return names;
}
