// Vendored from packages/core/src/vault/default-active.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { KeyKind } from "../domain.ts";

// Which new keys become their profile's active key when it has none (after `add`, or an import of another tool's
// keys). Not an Admin key: it manages the organization (deactivates keys, reads usage) and cannot call the model
// endpoints, so as the active key it would be handed to every process that asks for "the key" (`current`, `exec`,
// the gateway, which refuses it) without serving any of them. Choosing it by name still works.

export type NotActivated =
  /** The profile already had an active key; it stays. */
  | "profile_has_active_key"
  /** An Admin key is never made active without being asked for by name. */
  | "admin_key";

export function activatesByDefault(kind: KeyKind): boolean {
  return kind !== "admin";
}
