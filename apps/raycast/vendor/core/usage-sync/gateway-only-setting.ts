// Vendored from packages/core/src/usage-sync/gateway-only-setting.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { Store } from "../store.ts";
import type { Session } from "../vault/session.ts";

// Where a profile's gateway-only mark lives (issue 24): a store setting per profile name, holding the moment it was
// set. Kept apart from gateway-only.ts (which checks the profile exists) so that deleting and creating a profile can
// clear it without an import cycle, and without zod on the profile paths.

const PREFIX = "profile.gatewayOnly:";

/** When the profile was marked gateway-only; null when it is not. */
export async function gatewayOnlySince(store: Store, profile: string): Promise<Date | null> {
  const value = await store.settings.get(PREFIX + profile);
  const since = (value as { since?: unknown } | null)?.since;
  if (typeof since !== "string") return null;
  const at = new Date(since);
  return Number.isNaN(at.getTime()) ? null : at;
}

/** Marks the profile gateway-only from `now`, or clears it (null). The caller audits. */
export async function writeGatewayOnly(
  tx: Store,
  profile: string,
  since: Date | null,
  now: Date,
): Promise<void> {
  await tx.settings.set(PREFIX + profile, since === null ? null : { since: since.toISOString() }, now);
}

/**
 * Clears the mark with the profile it belongs to, in the caller's transaction, audited when there was one: the
 * setting is keyed by name, and a profile created later under the same name must not inherit it.
 */
export async function forgetGatewayOnlyIn(
  s: Pick<Session, "now" | "auditIn">,
  tx: Store,
  profile: string,
  reason: "profile_deleted" | "profile_created",
): Promise<void> {
  if ((await gatewayOnlySince(tx, profile)) === null) return;
  await writeGatewayOnly(tx, profile, null, s.now());
  await s.auditIn(tx, "profile.gateway_only", null, profile, { profile, gatewayOnly: false, reason });
}
