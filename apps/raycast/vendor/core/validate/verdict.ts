// Vendored from packages/core/src/validate/verdict.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { ValidationOutcome } from "../domain.ts";
import type { ValidationResult } from "./classify.ts";

// What a check of a stored key leaves on it. A definite answer (valid, invalid, rate-limited…) is the new verdict. A
// check that could not reach a verdict (offline, a timeout, a 5xx) says nothing about the key: it keeps an earlier
// definite verdict and its date, and the attempt is recorded in the audit log instead.

export interface Verdict {
  validation: ValidationOutcome | null;
  validationMessage: string | null;
  lastValidatedAt: Date | null;
}

export interface VerdictUpdate extends Verdict {
  /** The earlier verdict was kept: this check could not verify. */
  kept: boolean;
}

export function nextVerdict(previous: Verdict, result: ValidationResult, now: Date): VerdictUpdate {
  const definiteBefore = previous.validation !== null && previous.validation !== "unverified";
  if (result.outcome === "unverified" && definiteBefore) return { ...previous, kept: true };
  return { validation: result.outcome, validationMessage: result.message, lastValidatedAt: now, kept: false };
}
