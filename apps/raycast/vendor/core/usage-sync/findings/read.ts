// Vendored from packages/core/src/usage-sync/findings/read.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { KeyRecord } from "../../domain.ts";
import type { Store } from "../../store.ts";
import { monthSpendByKey } from "../../usage/month-spend.ts";
import { gatewayOnlySince } from "../gateway-only.ts";
import { orgOf } from "../org-of.ts";
import { lastSyncAt, readOrgSnapshot } from "../org-snapshot.ts";
import { DEFAULT_SINCE_MS } from "../plan.ts";
import {
  type GatewayOnlyKey,
  reportedOverBudget,
  unknownOrgKeys,
  usedAfterRetired,
  usedOutsideGateway,
} from "./detect.ts";
import {
  countByKind,
  FINDING_KINDS,
  type Finding,
  type FindingKey,
  type FindingsOptions,
  type FindingsReport,
  STALE_SYNC_MS,
} from "./kinds.ts";
import { retirementsOf } from "./retirement.ts";

// `usage check`: the findings over what the last sync stored — no network, so it runs offline, on a schedule, or
// from `status`. Reads only what can be a finding: retired and gateway-only keys' buckets, not the whole report.

export async function usageFindings(
  store: Store,
  now: Date,
  opts: FindingsOptions = {},
): Promise<FindingsReport> {
  const since = opts.since ?? new Date(now.getTime() - DEFAULT_SINCE_MS);
  const keys = await store.keys.list();
  const stored = new Map(keys.map((k) => [k.id, k]));
  const orgs = [...new Set(keys.filter((k) => k.kind === "admin").map(orgOf))];
  const organizations = await Promise.all(
    orgs.map(async (org) => ({
      org,
      lastSyncAt: await lastSyncAt(store, org),
      snapshot: await readOrgSnapshot(store, org),
    })),
  );
  // Retired keys: stored ones not active, and deleted ones an organization key is still linked to.
  const linkedGone = organizations.flatMap((o) =>
    (o.snapshot?.keys ?? []).flatMap((k) => (k.keyId !== null && !stored.has(k.keyId) ? [k.keyId] : [])),
  );
  const retiredIds = [
    ...new Set([
      ...keys.filter((k) => k.kind === "api" && k.status !== "active").map((k) => k.id),
      ...linkedGone,
    ]),
  ];
  const retirements = await retirementsOf(store, retiredIds, stored);
  const gatewayOnly = await gatewayOnlyKeys(store, keys);
  const gatewayIds = gatewayOnly.map((g) => g.key.id);
  const [buckets, recordedHours, month] = await Promise.all([
    store.reportedUsage.buckets({ since, keyIds: [...retirements.map((r) => r.key.id), ...gatewayIds] }),
    store.usage.hoursWithUsage({ since, keyIds: gatewayIds }),
    monthSpendByKey(store, now),
  ]);
  const budgeted = keys.flatMap((k) =>
    k.monthlyBudgetUsd === null ? [] : [{ key: keyOf(k), budgetUsd: k.monthlyBudgetUsd }],
  );
  const pick = (side: "recordedUsd" | "reportedUsd") => new Map([...month].map(([id, s]) => [id, s[side]]));
  const findings = [
    ...usedAfterRetired(retirements, buckets),
    ...usedOutsideGateway(gatewayOnly, buckets, recordedHours),
    ...organizations.flatMap((o) => unknownOrgKeys(o.org, o.snapshot)),
    ...reportedOverBudget(budgeted, pick("reportedUsd"), pick("recordedUsd"), now.toISOString().slice(0, 7)),
  ].sort((a, b) => kindOrder(a) - kindOrder(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const times = organizations.map((o) => o.lastSyncAt);
  const lastSync = times.length === 0 || times.includes(null) ? null : minDate(times as Date[]);
  return {
    findings,
    counts: countByKind(findings),
    organizations: organizations.map(({ org, lastSyncAt }) => ({ org, lastSyncAt })),
    lastSyncAt: lastSync,
    syncDue: orgs.length > 0 && (lastSync === null || now.getTime() - lastSync.getTime() > STALE_SYNC_MS),
    since,
  };
}

async function gatewayOnlyKeys(store: Store, keys: readonly KeyRecord[]): Promise<GatewayOnlyKey[]> {
  const out: GatewayOnlyKey[] = [];
  for (const profile of new Set(keys.map((k) => k.profile))) {
    const since = await gatewayOnlySince(store, profile);
    if (since === null) continue;
    for (const k of keys) {
      if (k.profile === profile && k.kind === "api" && k.status === "active")
        out.push({ key: keyOf(k), since });
    }
  }
  return out;
}

const keyOf = (k: KeyRecord): FindingKey => ({ id: k.id, name: k.name, profile: k.profile });
const kindOrder = (f: Finding) => FINDING_KINDS.indexOf(f.kind);
const minDate = (dates: Date[]) => new Date(Math.min(...dates.map((d) => d.getTime())));
