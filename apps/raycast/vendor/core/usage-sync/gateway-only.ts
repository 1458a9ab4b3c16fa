// Vendored from packages/core/src/usage-sync/gateway-only.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { getProfile } from "../vault/profiles.ts";
import type { Session } from "../vault/session.ts";
import type { GatewayOnlyResult } from "./findings/kinds.ts";
import { gatewayOnlySince, writeGatewayOnly } from "./gateway-only-setting.ts";

// A profile whose keys are meant to be used through the gateway only (issue 24): usage Anthropic reports on them in
// hours when apikey recorded none is a finding. Kept as a store setting per profile (./gateway-only-setting.ts), with
// the moment it was set, so usage from before is not held against it.

export { gatewayOnlySince } from "./gateway-only-setting.ts";

/** Marks a profile gateway-only, or clears it; audited. E_PROFILE_NOT_FOUND for an unknown profile. */
export async function setGatewayOnly(s: Session, profile: string, on: boolean): Promise<GatewayOnlyResult> {
  await getProfile(s, profile);
  return s.store.transaction(async (tx) => {
    const since = await gatewayOnlySince(tx, profile);
    if ((since !== null) === on) return { profile, gatewayOnly: on, since, changed: false };
    const now = s.now();
    await writeGatewayOnly(tx, profile, on ? now : null, now);
    await s.auditIn(tx, "profile.gateway_only", null, profile, { profile, gatewayOnly: on });
    return { profile, gatewayOnly: on, since: on ? now : null, changed: true };
  });
}
