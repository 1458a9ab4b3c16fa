// Vendored from packages/core/src/rotation/admin-key.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { KeyRecord } from "../domain.ts";
import type { Store } from "../store.ts";
import { isUsableAdminKey } from "./upstream-plan.ts";

/** The profile's Admin key for upstream work: the active one if it is an Admin key, else the newest live one. */
export async function pickAdminKey(store: Store, profile: string): Promise<KeyRecord | null> {
  const admins = (await store.keys.list({ profile })).filter(isUsableAdminKey);
  if (admins.length === 0) return null;
  const p = await store.profiles.get(profile);
  const active = admins.find((k) => k.id === p?.activeKeyId);
  if (active) return active;
  return admins.reduce((a, b) => (b.createdAt.getTime() > a.createdAt.getTime() ? b : a));
}
