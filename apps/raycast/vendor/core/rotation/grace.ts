// Vendored from packages/core/src/rotation/grace.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { ApikeyError, ERROR_CODES } from "../errors.ts";

export const DEFAULT_GRACE_MS = 15 * 60_000;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `0`, `90s`, `15m`, `2h`, `1d` → milliseconds. Throws E_USAGE for anything else (or more than 30 days). */
export function parseGrace(text: string): number {
  const m = /^\s*(\d+)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  const amount = m ? Number(m[1]) : Number.NaN;
  // A bare number other than 0 is ambiguous (seconds? minutes?), so it needs a unit.
  const unit = m?.[2] as keyof typeof UNIT_MS | undefined;
  const ms = unit ? amount * UNIT_MS[unit] : amount === 0 ? 0 : Number.NaN;
  if (!Number.isFinite(ms) || ms > 30 * UNIT_MS.d) {
    throw new ApikeyError(ERROR_CODES.USAGE, "The grace period must look like 0, 90s, 15m, 2h or 1d.", {
      hint: "It is how long the old key keeps working upstream before it is deactivated (at most 30 days).",
    });
  }
  return ms;
}
