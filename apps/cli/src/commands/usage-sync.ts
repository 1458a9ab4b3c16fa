import type { Apikey } from "@apikey/core";
import { formatUsd as money, notRecordedUsd, parseSince, shownTokens, subjectOf } from "@apikey/core";
import type { Command } from "commander";
import type { Action } from "../action.ts";
import { table } from "../io/output.ts";
import { terminalProgress } from "../io/progress.ts";

// `apikey usage sync` and the reported column of `apikey usage` (issue 24): usage as Anthropic's Usage & Cost
// report states it, beside what apikey recorded itself.

type SideBySide = Awaited<ReturnType<Apikey["usage"]["reported"]>>;
type SyncResult = Awaited<ReturnType<Apikey["usage"]["sync"]>>;

export function registerUsageSyncCommand(usage: Command, action: Action): void {
  usage
    .command("sync")
    .description(
      "fetch Anthropic's usage report (per organization key and model) through the store's Admin keys, since the last sync",
    )
    .option(
      "--since <when>",
      "start here instead of where the last sync stopped: 7d, 30d or YYYY-MM-DD (first sync: 30d)",
    )
    .option(
      "--cost",
      "also fetch the organization's cost report (what Anthropic bills per day) for the same days",
    )
    .action(
      action(async (ctx, opts: { since?: string; cost?: boolean }) => {
        // `usage` itself has --since (with a default), and a parent's option is parsed wherever it is written:
        // `usage sync --since 3d` lands there, so take it from there when the person wrote it.
        const written =
          usage.getOptionValueSource("since") === "cli" ? (usage.opts().since as string) : undefined;
        const given = opts.since ?? written;
        const since = given === undefined ? undefined : parseSince(given, new Date());
        const app = await ctx.app();
        const progress = terminalProgress(ctx.out.json);
        let results: SyncResult;
        try {
          results = await app.usage.sync({
            ...(since && { since }),
            ...(opts.cost && { cost: true }),
            onProgress: (p) =>
              progress.update(
                () =>
                  `Syncing ${p.org}: ${p.pages} page(s), ${p.rows} row(s), up to ${p.reached.toISOString()}…`,
              ),
          });
        } finally {
          progress.done();
        }
        ctx.out.result({ organizations: results }, () => results.map(summaryLine).join("\n"));
      }),
    );
}

function summaryLine(r: SyncResult[number]): string {
  const range =
    r.from && r.until ? ` from ${r.from.toISOString()} to ${r.until.toISOString()}` : " (nothing new)";
  const unknown = r.unmatchedKeys > 0 ? `, ${r.unmatchedKeys} organization key(s) not in the store` : "";
  const cost = r.costDays === undefined ? "" : `; cost report: ${r.costDays} day(s)`;
  return `Synced ${r.org} with ${r.adminKey.profile}/${r.adminKey.name}${range}: ${r.pages} page(s), ${r.rows} row(s); ${r.matchedKeys} stored key(s) linked${unknown}${cost}.`;
}

type Costs = Awaited<ReturnType<Apikey["usage"]["costs"]>>;

/** The organization's billed total beside our estimate; "" when no cost report was synced (`usage sync --cost`). */
export function renderCosts(costs: Costs): string {
  if (costs.length === 0) return "";
  const lines = costs.map((c) => {
    const diff = c.differenceUsd;
    const gap =
      Math.abs(diff) < 0.005
        ? "the same"
        : `${money(Math.abs(diff))} ${diff > 0 ? "more than" : "less than"} our estimate`;
    return `  ${c.org}: billed ${money(c.reportedUsd)} over ${c.days} day(s); our price table's estimate of the reported usage ${money(c.estimatedUsd)} (${gap}).`;
  });
  return [
    "",
    "Anthropic's cost report (what the organization is billed; priority-tier costs are not in it):",
    ...lines,
  ].join("\n");
}

/** Stored keys' labels by id, as `apikey usage` names them. */
export type KeyNames = ReadonlyMap<string, string>;

/** The JSON form: each row with its key's label. */
export function sideBySideJson(rows: SideBySide, names: KeyNames) {
  return rows.map((r) => ({ ...r, key: r.keyId === null ? null : (names.get(r.keyId) ?? r.keyId) }));
}

/** Recorded and reported cost per key, and what apikey did not see; "" when nothing was reported. */
export function renderSideBySide(rows: SideBySide, names: KeyNames): string {
  if (rows.length === 0) return "";
  // Whom a row is about, the tokens shown and what apikey did not see are core's (side-by-side-view.ts).
  const label = (r: SideBySide[number]) => {
    const subject = subjectOf(r);
    if (subject.kind === "key") return names.get(subject.keyId) ?? subject.keyId;
    if (subject.kind === "workbench") return "(Console Workbench)";
    return `(not in the store: ${subject.orgKeyIds.join(", ")})`;
  };
  const tokens = (s: { inputTokens: number; outputTokens: number } | null) =>
    shownTokens(s)?.toLocaleString("en-US") ?? "-";
  const body = table(
    ["KEY", "RECORDED TOKENS", "RECORDED COST", "REPORTED TOKENS", "REPORTED COST", "NOT RECORDED"],
    rows.map((r) => [
      label(r),
      tokens(r.recorded),
      r.recorded ? money(r.recorded.costUsd) : "-",
      tokens(r.reported),
      r.reported ? money(r.reported.costUsd) : "-",
      money(notRecordedUsd(r)),
    ]),
  );
  return [
    "",
    "Recorded by apikey vs reported by Anthropic (input + output tokens; run `apikey usage sync` to refresh):",
    body,
  ].join("\n");
}
