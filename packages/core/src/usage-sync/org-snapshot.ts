import type { z } from "zod";
import type { Store } from "../store.ts";
import type { OrgKey } from "./report-page.ts";
import type { Snapshot } from "./stored-schemas.ts";

// What the last sync learnt about an organization, kept in the store so `usage check` works offline: its key list
// (id, name, status, hint and the stored key each is), and when a sync last completed. The links also outlive a
// key deleted here: its organization key keeps pointing at the deleted key's id, so usage reported on it later is
// still that key's (and a finding), not a stranger's.

const SNAPSHOT_PREFIX = "usage.sync.orgKeys:";
const LAST_SYNC_PREFIX = "usage.sync.last:";

/** An organization's key list as the last sync read it; `keyId` is the stored key it is, or null (unknown). */
export type OrgKeySnapshot = z.infer<typeof Snapshot>;

export async function readOrgSnapshot(store: Store, org: string): Promise<OrgKeySnapshot | null> {
  const stored = await store.settings.get(SNAPSHOT_PREFIX + org);
  if (stored === null || stored === undefined) return null;
  const { Snapshot } = await import("./stored-schemas.ts");
  const parsed = Snapshot.safeParse(stored);
  return parsed.success ? parsed.data : null;
}

export async function writeOrgSnapshot(store: Store, org: string, snapshot: OrgKeySnapshot, at: Date) {
  await store.settings.set(SNAPSHOT_PREFIX + org, snapshot, at);
}

/**
 * Pure: today's links plus the remembered ones whose stored key is gone (deleted here), for organization keys
 * nothing else links. A remembered link to a key that still exists but no longer matches is dropped.
 */
export function withRememberedLinks(
  links: ReadonlyMap<string, string>,
  previous: OrgKeySnapshot | null,
  storedIds: ReadonlySet<string>,
): Map<string, string> {
  const out = new Map(links);
  for (const k of previous?.keys ?? []) {
    if (k.keyId !== null && !out.has(k.id) && !storedIds.has(k.keyId)) out.set(k.id, k.keyId);
  }
  return out;
}

export function snapshotOf(orgKeys: readonly OrgKey[], links: ReadonlyMap<string, string>, at: Date) {
  return {
    listedAt: at.toISOString(),
    keys: orgKeys.map((k) => ({
      id: k.id,
      name: k.name ?? null,
      status: k.status,
      hint: k.partial_key_hint ?? null,
      keyId: links.get(k.id) ?? null,
    })),
  } satisfies OrgKeySnapshot;
}

export async function lastSyncAt(store: Store, org: string): Promise<Date | null> {
  const value = await store.settings.get(LAST_SYNC_PREFIX + org);
  return typeof value === "string" && !Number.isNaN(Date.parse(value)) ? new Date(value) : null;
}

export async function markSynced(store: Store, org: string, at: Date): Promise<void> {
  await store.settings.set(LAST_SYNC_PREFIX + org, at.toISOString(), at);
}
