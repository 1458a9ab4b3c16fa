// Vendored from packages/core/src/views/key-list.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { listWithRotationDue } from "../rotation/flags.ts";
import { isUsableAdminKey, type UpstreamPlan, upstreamPlan } from "../rotation/upstream-plan.ts";
import { type MonthSpendFields, withMonthSpend } from "../usage/list-spend.ts";
import type { Vault } from "../vault/vault.ts";
import type { KeyView } from "../vault/views.ts";

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
  };

/** Every key (or one profile's), with rotation flags, month-to-date spend against its budget and upstream plans. */
export async function listKeyItems(vault: Vault, filter: { profile?: string } = {}): Promise<KeyListItem[]> {
  const keys = await withMonthSpend(vault, await listWithRotationDue(vault, filter));
  // The list holds every key of each profile it shows (it filters by profile only), so it answers this itself.
  const withAdmin = new Set(keys.filter((k) => !k.readOnly && isUsableAdminKey(k)).map((k) => k.profile));
  return keys.map((k) => {
    const plan =
      k.readOnly || k.status === "rotated" ? "none" : upstreamPlan(k.kind, withAdmin.has(k.profile));
    return { ...k, upstreamOnRotate: plan, canDeactivateUpstream: plan === "pending" };
  });
}
