// Vendored from packages/core/src/views/key-list.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { getMaxAgeDays } from "../rotation/due.ts";
import { listedKeyDue } from "../rotation/flags.ts";
import { rotationRefusal } from "../rotation/refusal.ts";
import { isUsableAdminKey, type UpstreamPlan, upstreamPlan } from "../rotation/upstream-plan.ts";
import { type MonthSpendFields, monthSpendFields } from "../usage/list-spend.ts";
import { monthSpendByKey } from "../usage/month-spend.ts";
import { listKeys } from "../vault/keys.ts";
import { type ProfileSummary, profileSummaries } from "../vault/status.ts";
import type { Vault } from "../vault/vault.ts";
import type { KeyView, ListedRows } from "../vault/views.ts";

/**
 * A key as every front lists it: what it is, and every judgement about it made here, once, so no front recomputes
 * one (budget state, rotation due, what a rotation would do upstream). Never carries the secret.
 */
export type KeyListItem = KeyView &
  MonthSpendFields & {
    /** Older than the store's rotation policy allows. */
    rotationDue: boolean;
    /** What rotating this key now would owe the old key at Anthropic (rotation/upstream-plan.ts). */
    upstreamOnRotate: UpstreamPlan;
    /** Rotating it can switch the old key off at Anthropic: an API key whose own profile holds an Admin key. */
    canDeactivateUpstream: boolean;
    /** Why a rotation would be refused (a federated key: nothing to rotate), as the rotation says it; null: it may be. */
    cannotRotate: { code: string; message: string; hint: string | null } | null;
  };

/** Every key (or one profile's), with rotation flags, month-to-date spend against its budget and upstream plans. */
export async function listKeyItems(vault: Vault, filter: { profile?: string } = {}): Promise<KeyListItem[]> {
  return itemsFrom(vault, filter, { keys: await vault.store.keys.list({ ...filter, secrets: false }) });
}

/**
 * Every key as listKeyItems gives it, and every profile as listProfiles does, from one read of the key rows: what a
 * front that shows both at once (Raycast's list) asks for, without reading every row twice.
 */
export async function listKeysAndProfiles(
  vault: Vault,
): Promise<{ keys: KeyListItem[]; profiles: ProfileSummary[] }> {
  const [keys, profiles] = await Promise.all([
    vault.store.keys.list({ secrets: false }),
    vault.store.profiles.list(),
  ]);
  return { keys: await itemsFrom(vault, {}, { keys, profiles }), profiles: profileSummaries(keys, profiles) };
}

/** The listing from the key rows already read: one read serves the views, the rotation flags and the budgets. */
async function itemsFrom(
  vault: Vault,
  filter: { profile?: string },
  read: ListedRows,
): Promise<KeyListItem[]> {
  const now = vault.now();
  const [views, maxAgeDays, spend] = await Promise.all([
    listKeys(vault, filter, read),
    getMaxAgeDays(vault.store),
    monthSpendByKey(vault.store, now),
  ]);
  const records = new Map(read.keys.map((r) => [r.id, r]));
  // The list holds every key of each profile it shows (it filters by profile only), so it answers this itself.
  const withAdmin = new Set(views.filter((k) => !k.readOnly && isUsableAdminKey(k)).map((k) => k.profile));
  // Each item built once from its view (rotation/flags.ts and usage/list-spend.ts judge it): copying every item
  // once per judgement was a tenth of Raycast's list, most of it garbage collection (issue 25).
  return views.map((k) => {
    const record = records.get(k.id);
    const plan =
      k.readOnly || k.status === "rotated" ? "none" : upstreamPlan(k.kind, withAdmin.has(k.profile));
    const refusal = rotationRefusal(k);
    const cannotRotate = refusal && {
      code: refusal.code,
      message: refusal.message,
      hint: refusal.hint ?? null,
    };
    return {
      ...k,
      rotationDue: listedKeyDue(k, now, maxAgeDays, record),
      ...monthSpendFields(k, record, spend.get(k.id)),
      upstreamOnRotate: plan,
      canDeactivateUpstream: plan === "pending",
      cannotRotate,
    };
  });
}
