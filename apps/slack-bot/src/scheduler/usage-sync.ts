import type { Logger } from "@slack/bolt";
import type { CorePort } from "../core-port.ts";

// `usage sync` on a schedule (issue 24; off unless APIKEY_SLACK_USAGE_SYNC_MINUTES is set): the reminder loop asks
// every minute, and the sync runs once per period across restarts and replicas — the period is claimed in the
// store first, as reminders are, so only the replica that wins the claim reads the Admin API.

export interface UsageSyncDeps {
  core: CorePort;
  everyMinutes: number;
  logger: Logger;
}

/** The claim of the period `now` falls in: the same name on every replica. */
export function usageSyncClaim(now: Date, everyMinutes: number): string {
  return `slack:usage-sync:${everyMinutes}m:${Math.floor(now.getTime() / (everyMinutes * 60_000))}`;
}

/** Runs the period's sync if no replica has; a failure is logged by code and waits for the next period. */
export async function usageSyncTick(now: Date, deps: UsageSyncDeps): Promise<void> {
  if (!(await deps.core.claimOnce(usageSyncClaim(now, deps.everyMinutes)))) return;
  try {
    const results = await deps.core.usage.sync();
    const rows = results.reduce((n, r) => n + r.rows, 0);
    deps.logger.info(`usage sync: ${results.length} organization(s), ${rows} row(s)`);
  } catch (err) {
    const e = err as { name?: string; code?: unknown };
    deps.logger.warn(`usage sync failed: ${typeof e.code === "string" ? e.code : (e.name ?? "error")}`);
  }
}
