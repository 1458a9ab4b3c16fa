import type { Store } from "../store.ts";
import { orgOf } from "./org-of.ts";
import type { ReportedKeyTotal } from "./port.ts";

// The cost report as stored (issue 24): per organization one setting, a UTC day → billed USD map; a re-synced day is
// replaced, never added twice. And the organization's billed total beside our price table's estimate of the usage
// it reported. No zod here: `apikey usage` reads it on every run.

const DAY_MS = 86_400_000;
/** Days kept per organization: a year and a little. */
const KEEP_DAYS = 400;
const PREFIX = "usage.cost:";

type Stored = Record<string, number>;

async function readStored(store: Store, org: string): Promise<Stored> {
  const value = await store.settings.get(PREFIX + org);
  if (value === null || typeof value !== "object") return {};
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).filter(
      (e): e is [string, number] => /^\d{4}-\d{2}-\d{2}$/.test(e[0]) && typeof e[1] === "number",
    ),
  );
}

/** Replaces the stored days of [window.from, window.until) by `days` (absent days: nothing billed), in `tx`. */
export async function writeDailyCost(
  tx: Store,
  org: string,
  window: { from: Date; until: Date },
  days: ReadonlyMap<string, number>,
  now: Date,
): Promise<void> {
  const kept = Object.entries(await readStored(tx, org)).filter(([day]) => {
    const at = Date.parse(`${day}T00:00:00Z`);
    return (
      (at < window.from.getTime() || at >= window.until.getTime()) && at >= now.getTime() - KEEP_DAYS * DAY_MS
    );
  });
  const next: Stored = Object.fromEntries(kept);
  for (let at = window.from.getTime(); at < window.until.getTime(); at += DAY_MS) {
    const day = new Date(at).toISOString().slice(0, 10);
    next[day] = days.get(day) ?? 0;
  }
  await tx.settings.set(PREFIX + org, Object.fromEntries(Object.entries(next).sort()), now);
}

export interface OrgCostBeside {
  org: string;
  /** What the organization's cost report billed over the synced days of the window. */
  reportedUsd: number;
  /** Our price table's cost of the usage the usage report gave for the same organization and window. */
  estimatedUsd: number;
  /** Billed minus estimated: models missing from our price table, tiers and fees our table does not know. */
  differenceUsd: number;
  /** Days of the window the cost report has been synced for. */
  days: number;
  /** Priority-tier costs are never in Anthropic's cost report. */
  includesPriorityTier: false;
}

/**
 * Per organization with a synced cost report: its billed total over UTC days starting in [since, until), beside
 * the sum of our estimate over the reported usage (`reported`: totalsByKey over the same window).
 */
export async function costBeside(
  store: Store,
  orgs: readonly string[],
  window: { since: Date; until?: Date },
  reported: readonly Pick<ReportedKeyTotal, "org" | "costUsd">[],
): Promise<OrgCostBeside[]> {
  const out: OrgCostBeside[] = [];
  for (const org of orgs) {
    const stored = Object.entries(await readStored(store, org)).filter(([day]) => {
      const at = Date.parse(`${day}T00:00:00Z`);
      return at >= window.since.getTime() && (window.until === undefined || at < window.until.getTime());
    });
    if (stored.length === 0) continue;
    const reportedUsd = stored.reduce((n, [, usd]) => n + usd, 0);
    const estimatedUsd = reported.filter((r) => r.org === org).reduce((n, r) => n + r.costUsd, 0);
    out.push({
      org,
      reportedUsd,
      estimatedUsd,
      differenceUsd: reportedUsd - estimatedUsd,
      days: stored.length,
      includesPriorityTier: false,
    });
  }
  return out;
}

/** costBeside for every organization an Admin key in the store reads (as `usage sync` picks them). */
export async function storedCosts(
  store: Store,
  window: { since: Date; until?: Date },
): Promise<OrgCostBeside[]> {
  const orgs = new Set((await store.keys.list()).filter((k) => k.kind === "admin").map(orgOf));
  if (orgs.size === 0) return [];
  return costBeside(store, [...orgs].sort(), window, await store.reportedUsage.totalsByKey(window));
}
