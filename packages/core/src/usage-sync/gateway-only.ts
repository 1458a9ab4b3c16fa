import type { Store } from "../store.ts";
import { getProfile } from "../vault/profiles.ts";
import type { Session } from "../vault/session.ts";
import type { GatewayOnlyResult } from "./findings/kinds.ts";

// A profile whose keys are meant to be used through the gateway only (issue 24): usage Anthropic reports on them in
// hours when apikey recorded none is a finding. Kept as a store setting per profile, with the moment it was set, so
// usage from before is not held against it.

const PREFIX = "profile.gatewayOnly:";

/** When the profile was marked gateway-only; null when it is not. */
export async function gatewayOnlySince(store: Store, profile: string): Promise<Date | null> {
  const stored = await store.settings.get(PREFIX + profile);
  if (stored === null || stored === undefined) return null;
  const { GatewayOnlyMark } = await import("./stored-schemas.ts");
  const parsed = GatewayOnlyMark.safeParse(stored);
  return parsed.success ? new Date(parsed.data.since) : null;
}

/** Marks a profile gateway-only, or clears it; audited. E_PROFILE_NOT_FOUND for an unknown profile. */
export async function setGatewayOnly(s: Session, profile: string, on: boolean): Promise<GatewayOnlyResult> {
  await getProfile(s, profile);
  return s.store.transaction(async (tx) => {
    const since = await gatewayOnlySince(tx, profile);
    if ((since !== null) === on) return { profile, gatewayOnly: on, since, changed: false };
    const now = s.now();
    await tx.settings.set(PREFIX + profile, on ? { since: now.toISOString() } : null, now);
    await s.auditIn(tx, "profile.gateway_only", null, profile, { profile, gatewayOnly: on });
    return { profile, gatewayOnly: on, since: on ? now : null, changed: true };
  });
}
