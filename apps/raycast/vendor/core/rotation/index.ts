// Vendored from packages/core/src/rotation/index.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
// Key rotation, upstream deactivation and the key-age policy: the front-neutral API the fronts call.
// Master-key changes (rekey) are @apikey/core/rekey.
export { pickAdminKey } from "./admin-key.ts";
export {
  type DeactivationOutcome,
  type FinishOptions,
  finishDeactivations,
  NO_ADMIN_KEY_REASON,
} from "./deactivate.ts";
export { checkMaxAgeDays, DEFAULT_MAX_AGE_DAYS, getMaxAgeDays, MAX_AGE_SETTING, rotationDue } from "./due.ts";
export { dueForRotation, listWithRotationDue } from "./flags.ts";
export { DEFAULT_GRACE_MS, parseGrace } from "./grace.ts";
export { matchesPartialHint } from "./partial-hint.ts";
export { type RotateInput, type RotateResult, rotateKey } from "./rotate.ts";
export { setMaxAgeDays } from "./settings.ts";
export { isUsableAdminKey, type UpstreamPlan, upstreamPlan } from "./upstream-plan.ts";
