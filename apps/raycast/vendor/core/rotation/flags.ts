// Vendored from packages/core/src/rotation/flags.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { listKeys } from "../vault/keys.ts";
import type { Session } from "../vault/session.ts";
import type { KeyView, ListedRows } from "../vault/views.ts";
import { type AgedKey, getMaxAgeDays, rotationDue } from "./due.ts";

/** `vault.list` with each key's `rotationDue` flag (the environment's read-only key is never due). */
export async function listWithRotationDue(
  vault: Session,
  filter: { profile?: string } = {},
  read?: ListedRows,
): Promise<Array<KeyView & { rotationDue: boolean }>> {
  const [keys, maxAgeDays] = await Promise.all([listKeys(vault, filter, read), getMaxAgeDays(vault.store)]);
  const now = vault.now();
  return keys.map((k) => ({ ...k, rotationDue: listedKeyDue(k, now, maxAgeDays) }));
}

/**
 * A listed key's `rotationDue` (the environment's read-only key is never due). `row`: the key's row when the caller
 * has it, whose Date spares parsing the view's ISO text back.
 */
export function listedKeyDue(key: KeyView, now: Date, maxAgeDays: number, row?: AgedKey): boolean {
  return !key.readOnly && rotationDue(row ?? key, now, maxAgeDays);
}

/** The stored keys due for rotation, as `profile/name`, for `status`. */
export async function dueForRotation(vault: Session): Promise<{ maxAgeDays: number; keys: string[] }> {
  const [keys, maxAgeDays] = await Promise.all([
    vault.store.keys.list({ secrets: false }),
    getMaxAgeDays(vault.store),
  ]);
  const now = vault.now();
  const due = keys.filter((k) => rotationDue(k, now, maxAgeDays)).map((k) => `${k.profile}/${k.name}`);
  return { maxAgeDays, keys: due };
}
