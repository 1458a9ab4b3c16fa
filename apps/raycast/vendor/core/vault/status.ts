// Vendored from packages/core/src/vault/status.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { KekProviderName } from "../domain.ts";
import { holdsDataKey } from "../master-key/unlock.ts";
import type { Session } from "./session.ts";

export interface StatusReport {
  location: string;
  initialised: boolean;
  /** The kind of the store's first master-key slot. */
  kekProvider: KekProviderName | null;
  slots: Array<{ name: string; kind: KekProviderName; createdAt: string; lastUsedAt: string | null }>;
  keyCount: number;
  profiles: Array<{ name: string; activeKey: string | null; keyCount: number }>;
  envKeyPresent: boolean;
  /** "no_slots": the store was created (or holds keys) but no master-key slot can unlock it; null when sound. */
  damage: "no_slots" | null;
}

export async function storeStatus(s: Session): Promise<StatusReport> {
  const { store, config } = s;
  const [meta, keys, profiles, slots] = await Promise.all([
    store.getMeta(),
    store.keys.list(),
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
    profiles: profiles.map((p) => ({
      name: p.name,
      activeKey: keys.find((k) => k.id === p.activeKeyId)?.name ?? null,
      keyCount: live.filter((k) => k.profile === p.name).length,
    })),
    envKeyPresent: config.envApiKey !== undefined,
    damage:
      (meta !== null || keys.length > 0 || slots.length > 0) && !slots.some(holdsDataKey) ? "no_slots" : null,
  };
}
