// Vendored from packages/core/src/validate/classify.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { ValidationOutcome } from "../domain.ts";

// Pure: turns what the API said into an outcome and a message a person can act on.

export interface ValidationResult {
  outcome: ValidationOutcome;
  /** One friendly sentence; never contains the key. */
  message: string;
  status?: number;
  errorType?: string;
  retryAfterSeconds?: number;
  requestId?: string;
}

export interface ApiFailure {
  status?: number | undefined;
  errorType?: string | undefined;
  retryAfter?: string | null | undefined;
  requestId?: string | null | undefined;
  network?: "timeout" | "connection" | undefined;
}

/** Outcomes for which the key is kept. Only "invalid" refuses to store. */
export const STORABLE: ReadonlySet<ValidationOutcome> = new Set([
  "valid",
  "forbidden",
  "rate_limited",
  "billing",
  "unverified",
]);

export function classifyFailure(f: ApiFailure): ValidationResult {
  const base = {
    ...(f.status !== undefined && { status: f.status }),
    ...(f.errorType && { errorType: f.errorType }),
    ...(f.requestId && { requestId: f.requestId }),
  };
  if (f.network === "timeout") return { ...TIMED_OUT, ...base };
  if (f.network === "connection" || f.status === undefined) return { ...UNREACHABLE, ...base };
  if (f.status === 429) {
    const seconds = parseRetryAfter(f.retryAfter);
    return {
      outcome: "rate_limited",
      message: `The key is valid but rate limited (429)${seconds === undefined ? "" : `; retry after ${seconds}s`}.`,
      ...base,
      ...(seconds !== undefined && { retryAfterSeconds: seconds }),
    };
  }
  return { ...(BY_STATUS[f.status] ?? otherStatus(f.status)), ...base };
}

type Verdict = Pick<ValidationResult, "outcome" | "message">;

const TIMED_OUT: Verdict = {
  outcome: "unverified",
  message: "Could not verify: the Anthropic API did not answer in time.",
};

const UNREACHABLE: Verdict = {
  outcome: "unverified",
  message: "Could not verify: the Anthropic API could not be reached (network error).",
};

/** The answers whose meaning is the status alone (429 also reads `retry-after`). */
const BY_STATUS: Readonly<Record<number, Verdict>> = {
  401: {
    outcome: "invalid",
    message: "Anthropic rejected this key as invalid (401 authentication_error).",
  },
  402: {
    outcome: "billing",
    message:
      "The key is recognised but its organisation has a billing problem (402): add credits in the Console.",
  },
  403: {
    outcome: "forbidden",
    message: "The key is recognised but lacks permission for this request (403 permission_error).",
  },
  400: {
    outcome: "unverified",
    message: "Could not verify: the API rejected the check as malformed (400).",
  },
  404: {
    outcome: "unverified",
    message: "Could not verify: the models endpoint was not found (404). Is ANTHROPIC_BASE_URL right?",
  },
  413: {
    outcome: "unverified",
    message: "Could not verify: the API said the request was too large (413).",
  },
  504: {
    outcome: "unverified",
    message: "Could not verify: the Anthropic API timed out (504).",
  },
  529: {
    outcome: "unverified",
    message: "Could not verify: the Anthropic API is overloaded (529).",
  },
};

function otherStatus(status: number): Verdict {
  return {
    outcome: "unverified",
    message:
      status >= 500
        ? `Could not verify: the Anthropic API had an internal error (${status}).`
        : `Could not verify: unexpected answer from the Anthropic API (${status}).`,
  };
}

function parseRetryAfter(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const n = Number(value);
  if (Number.isFinite(n) && n >= 0) return Math.ceil(n);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}
