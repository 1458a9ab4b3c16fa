// Vendored from packages/core/src/rotation/due.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { KeyKind, KeyStatus } from "../domain.ts";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import type { Store } from "../store.ts";

// Key age policy. The threshold lives in the store's settings (not in the environment) so every front — CLI,
// Slack, Raycast — flags the same keys.

export const MAX_AGE_SETTING = "rotation.maxAgeDays";
export const DEFAULT_MAX_AGE_DAYS = 90;
const DAY_MS = 86_400_000;

export interface AgedKey {
  createdAt: Date | string;
  status: KeyStatus;
  kind: KeyKind;
}

/**
 * True when a live key is older than `maxAgeDays`. Rotated keys are history, and OAuth tokens renew themselves,
 * so neither is ever due. `maxAgeDays <= 0` turns the policy off.
 */
export function rotationDue(key: AgedKey, now: Date, maxAgeDays: number): boolean {
  if (maxAgeDays <= 0 || key.status === "rotated" || key.kind === "oauth" || key.kind === "federated")
    return false;
  const created = typeof key.createdAt === "string" ? Date.parse(key.createdAt) : key.createdAt.getTime();
  return Number.isFinite(created) && now.getTime() - created > maxAgeDays * DAY_MS;
}

export async function getMaxAgeDays(store: Store): Promise<number> {
  const value = await store.settings.get(MAX_AGE_SETTING);
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : DEFAULT_MAX_AGE_DAYS;
}

/** Throws E_USAGE for anything but a whole number of days from 0 (off) to 3650. */
export function checkMaxAgeDays(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 3650) {
    throw new ApikeyError(ERROR_CODES.USAGE, "The maximum key age must be a whole number of days (0–3650).", {
      hint: "For example 90; 0 turns the rotation reminder off.",
    });
  }
  return value;
}
