import type { KekProviderName, KeyMetadata, ProfileRecord } from "../domain.ts";
import { holdsDataKey } from "../master-key/unlock.ts";
import type { Session } from "./session.ts";

export interface ProfileSummary {
  name: string;
  activeKey: string | null;
  keyCount: number;
}

export interface StatusReport {
  location: string;
  initialised: boolean;
  /** The kind of the store's first master-key slot. */
  kekProvider: KekProviderName | null;
  slots: Array<{ name: string; kind: KekProviderName; createdAt: string; lastUsedAt: string | null }>;
  keyCount: number;
  profiles: ProfileSummary[];
  envKeyPresent: boolean;
  /** "no_slots": the store was created (or holds keys) but no master-key slot can unlock it; null when sound. */
  damage: "no_slots" | null;
}

/** Each profile with its active key's name and its number of live keys: one pass over the keys, not one a profile. */
export function profileSummaries(
  keys: readonly KeyMetadata[],
  profiles: readonly ProfileRecord[],
): ProfileSummary[] {
  const names = new Map(keys.map((k) => [k.id, k.name]));
  const counts = new Map<string, number>();
  for (const k of keys) if (k.status !== "rotated") counts.set(k.profile, (counts.get(k.profile) ?? 0) + 1);
  return profiles.map((p) => ({
    name: p.name,
    activeKey: (p.activeKeyId !== null && names.get(p.activeKeyId)) || null,
    keyCount: counts.get(p.name) ?? 0,
  }));
}

export async function storeStatus(s: Session): Promise<StatusReport> {
  const { store, config } = s;
  const [meta, keys, profiles, slots] = await Promise.all([
    store.getMeta(),
    store.keys.list({ secrets: false }),
    store.profiles.list(),
    store.slots.list(),
  ]);
  const live = keys.filter((k) => k.status !== "rotated");
  return {
    location: store.location,
    initialised: meta !== null,
    kekProvider: slots[0]?.kind ?? null,
    slots: slots.map((slot) => ({
      name: slot.name,
      kind: slot.kind,
      createdAt: slot.createdAt.toISOString(),
      lastUsedAt: slot.lastUsedAt?.toISOString() ?? null,
    })),
    keyCount: live.length,
    profiles: profileSummaries(keys, profiles),
    envKeyPresent: config.envApiKey !== undefined,
    damage:
      (meta !== null || keys.length > 0 || slots.length > 0) && !slots.some(holdsDataKey) ? "no_slots" : null,
  };
}
