// Vendored from packages/core/src/usage-sync/sync.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { decryptSecret } from "../crypto/index.ts";
import type { KeyRecord } from "../domain.ts";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import type { Store } from "../store.ts";
import type { PriceTable } from "../usage/prices.ts";
import { baseUrlRefusal } from "../validate/base-url.ts";
import type { Session } from "../vault/session.ts";
import type { AdminHttpOptions } from "./admin-http.ts";
import { writeDailyCost } from "./cost-store.ts";
import { listOrgKeys, matchOrgKeys } from "./org-keys.ts";
import { orgOf } from "./org-of.ts";
import {
  markSynced,
  readOrgSnapshot,
  snapshotOf,
  withRememberedLinks,
  writeOrgSnapshot,
} from "./org-snapshot.ts";
import { planSync, type SyncWindow } from "./plan.ts";
import { reportPages } from "./report-client.ts";
import { rowsOf } from "./rows.ts";

// `usage sync`: for each organization an Admin key in the store reaches, the usage report since the last sync,
// stored as reported usage. Each page is one transaction — its rows replace the range it settles and, for settled
// hours, the cursor moves with them — so a sync killed at any point leaves whole pages, and the next one resumes.

export interface SyncOptions {
  /** Start here instead of at the cursor (the first sync's default is 30 days back). */
  since?: Date;
  onProgress?: (progress: SyncProgress) => void;
  /** For tests: how a 429's retry-after is waited out. */
  sleep?: (ms: number) => Promise<void>;
  prices?: PriceTable;
  /** Also fetch the organization's cost report (daily billed totals), for the days this sync covers. */
  cost?: boolean;
}

export interface SyncProgress {
  org: string;
  width: SyncWindow["width"];
  pages: number;
  rows: number;
  /** How far this organization's report has been read. */
  reached: Date;
  until: Date;
}

export interface OrgSyncResult {
  org: string;
  /** The Admin key that read it (its name and profile; never its secret). */
  adminKey: { name: string; profile: string };
  from: Date | null;
  until: Date | null;
  pages: number;
  rows: number;
  /** Organization keys the store holds, and those it does not (kept all the same). */
  matchedKeys: number;
  unmatchedKeys: number;
  /** Days of the cost report stored, when it was asked for. */
  costDays?: number;
}

const CURSOR_PREFIX = "usage.sync.cursor:";

export async function syncReportedUsage(vault: Session, opts: SyncOptions = {}): Promise<OrgSyncResult[]> {
  const { store, config } = vault;
  const keys = await store.keys.list();
  const admins = pickAdminKeys(keys);
  if (admins.length === 0) {
    throw new ApikeyError(
      ERROR_CODES.NO_ADMIN_KEY,
      "No active Admin key in the store to read the usage report with.",
      {
        details: { reason: "usage_sync" },
      },
    );
  }
  if (config.anthropicBaseUrl) {
    const refusal = baseUrlRefusal(config.anthropicBaseUrl, config.allowInsecureBaseUrl);
    if (refusal)
      throw new ApikeyError(ERROR_CODES.USAGE, refusal, { details: { reason: "insecure_base_url" } });
  }
  const dek = await vault.unlock();
  const results: OrgSyncResult[] = [];
  for (const admin of admins) {
    const http: AdminHttpOptions = {
      baseUrl: config.anthropicBaseUrl,
      adminSecret: decryptSecret(dek, admin),
      timeoutMs: config.validateTimeoutMs,
      ...(opts.sleep && { sleep: opts.sleep }),
    };
    const orgKeys = await listOrgKeys(http);
    const org = orgOf(admin);
    const matched = matchOrgKeys(orgKeys, keys, dek);
    const keyIds = withRememberedLinks(
      matched,
      await readOrgSnapshot(store, org),
      new Set(keys.map((k) => k.id)),
    );
    // Kept for `usage check`, which reads it offline (unknown organization keys, links to deleted keys).
    await store.transaction((tx) =>
      writeOrgSnapshot(tx, org, snapshotOf(orgKeys, keyIds, vault.now()), vault.now()),
    );
    const result = await syncOrg(vault, admin, http, keyIds, orgKeys.length - matched.size, opts);
    if (opts.cost) result.costDays = await syncCost(vault, org, http, result.from);
    results.push(result);
  }
  return results;
}

/**
 * The cost report over the days this sync covered, and always yesterday and today (a day's bill settles late), in
 * one transaction: the days fetched replace the stored ones. Returns how many days it stored.
 */
async function syncCost(
  vault: Session,
  org: string,
  http: AdminHttpOptions,
  from: Date | null,
): Promise<number> {
  const { costWindow, fetchDailyCost } = await import("./cost-report.ts");
  const now = vault.now();
  const yesterday = new Date(now.getTime() - 86_400_000);
  const window = costWindow(from && from < yesterday ? from : yesterday, now);
  const days = await fetchDailyCost(http, window);
  await vault.store.transaction(async (tx) => {
    await writeDailyCost(tx, org, window, days, now);
    await vault.auditIn(tx, "usage.cost_sync", null, null, {
      org,
      from: window.from.toISOString(),
      until: window.until.toISOString(),
    });
  });
  return Math.round((window.until.getTime() - window.from.getTime()) / 86_400_000);
}

/** One Admin key per organization: the newest active one (a second key of the same organization adds nothing). */
function pickAdminKeys(keys: readonly KeyRecord[]): KeyRecord[] {
  const byOrg = new Map<string, KeyRecord>();
  for (const k of keys) {
    if (k.kind !== "admin" || k.status !== "active") continue;
    const seen = byOrg.get(orgOf(k));
    if (!seen || k.createdAt.getTime() > seen.createdAt.getTime()) byOrg.set(orgOf(k), k);
  }
  return [...byOrg.values()];
}

async function syncOrg(
  vault: Session,
  admin: KeyRecord,
  http: AdminHttpOptions,
  keyIds: ReadonlyMap<string, string>,
  unmatchedKeys: number,
  opts: SyncOptions,
): Promise<OrgSyncResult> {
  const { store } = vault;
  const org = orgOf(admin);
  const cursorName = CURSOR_PREFIX + org;
  const saved = await store.settings.get(cursorName);
  const cursor = typeof saved === "string" && !Number.isNaN(Date.parse(saved)) ? new Date(saved) : null;
  const windows = planSync({ cursor, since: opts.since ?? null, now: vault.now() });
  const result: OrgSyncResult = {
    org,
    adminKey: { name: admin.name, profile: admin.profile },
    from: windows[0]?.from ?? null,
    until: windows.at(-1)?.until ?? null,
    pages: 0,
    rows: 0,
    matchedKeys: keyIds.size,
    unmatchedKeys,
  };
  // The sync is done once its last page is stored, or at once when there was nothing to ask for: either way the
  // organization is up to date, and "the last sync is stale" must not say otherwise.
  const finish = async (tx: Store) => {
    await markSynced(tx, org, vault.now());
    await vault.auditIn(tx, "usage.sync", null, admin.profile, auditDetails(result));
  };
  if (windows.length === 0) await store.transaction(finish);
  for (const [w, window] of windows.entries()) {
    const lastWindow = w === windows.length - 1;
    for await (const page of reportPages(http, window)) {
      const rows = rowsOf(page.buckets, {
        org,
        bucketMinutes: window.width === "1h" ? 60 : 1,
        keyIds,
        syncedAt: vault.now(),
        ...(opts.prices && { prices: opts.prices }),
      });
      const done = lastWindow && page.until.getTime() === window.until.getTime();
      result.pages += 1;
      result.rows += rows.length;
      await store.transaction(async (tx) => {
        await tx.reportedUsage.replaceRange(org, page.from, page.until, rows);
        // Settled hours move the cursor; the recent minutes are fetched again next time.
        if (window.width === "1h") await tx.settings.set(cursorName, page.until.toISOString(), vault.now());
        else if (cursor === null && page.from.getTime() === window.from.getTime())
          await tx.settings.set(cursorName, window.from.toISOString(), vault.now());
        if (done) await finish(tx);
      });
      opts.onProgress?.({
        org,
        width: window.width,
        pages: result.pages,
        rows: result.rows,
        reached: page.until,
        until: window.until,
      });
    }
  }
  return result;
}

function auditDetails(r: OrgSyncResult) {
  return {
    org: r.org,
    adminKey: r.adminKey.name,
    from: r.from?.toISOString() ?? null,
    until: r.until?.toISOString() ?? null,
    pages: r.pages,
    rows: r.rows,
    matchedKeys: r.matchedKeys,
    unmatchedKeys: r.unmatchedKeys,
  };
}
