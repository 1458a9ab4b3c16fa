// Vendored from packages/core/src/rotation/upstream-plan.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { KeyKind, KeyStatus } from "../domain.ts";

// What a rotation owes the old key at Anthropic, decided in one place for the rotation itself and for every front
// that shows, before anyone rotates, whether the old key will be switched off for them.

/** `pending`: deactivated upstream when the grace period ends; `manual`: the person must do it; `none`: nothing. */
export type UpstreamPlan = "pending" | "manual" | "none";

/** An Admin key the rotation may use for upstream work (rotation/admin-key.ts picks among these). */
export function isUsableAdminKey(key: { kind: KeyKind; status: KeyStatus }): boolean {
  return key.kind === "admin" && key.status === "active";
}

/**
 * Only API keys can be switched off through the Admin API, and only with an Admin key of the same profile; Admin
 * keys and OAuth tokens are the Console's job. `wanted` false: the person keeps the old key working upstream.
 */
export function upstreamPlan(kind: KeyKind, profileHasAdminKey: boolean, wanted = true): UpstreamPlan {
  if (kind !== "api" || !wanted) return "none";
  return profileHasAdminKey ? "pending" : "manual";
}
