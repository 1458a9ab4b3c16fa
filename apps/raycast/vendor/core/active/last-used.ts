// Vendored from packages/core/src/active/last-used.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
// "Last used" is bookkeeping for people ("used 3 min ago"), not an access log (the audit log and usage events are).
// Recording it at most once a minute keeps `apikey current` — called by Claude Code and shells all day — from turning
// every read into a database write. Kept free of imports: the hot path loads this module alone.

export const LAST_USED_RESOLUTION_MS = 60_000;

/** Whether a use at `now` should be written, given the last one recorded (ms since the epoch, or null). */
export function shouldRecordUse(lastUsedAt: number | null, now: number): boolean {
  return lastUsedAt === null || now - lastUsedAt >= LAST_USED_RESOLUTION_MS || now < lastUsedAt;
}
