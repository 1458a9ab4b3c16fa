// Vendored from packages/core/src/usage-sync/network-failure.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { ApikeyError, ERROR_CODES } from "../errors.ts";

// What went wrong when a request to the Admin API got no answer: it timed out, or the connection failed (refused,
// reset, name not found). Told apart by names and codes, not classes: AbortSignal.timeout's DOMException may come
// from another realm (a bundle, a test runner), and undici wraps its own timeouts in a TypeError("fetch failed").

export type NetworkFailure = "timeout" | "unreachable";

const TIMEOUT_CODES = new Set([
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "ETIMEDOUT",
]);

/** "timeout" when the error, or any error it was caused by, is a timeout; "unreachable" for any other. */
export function networkFailureOf(err: unknown): NetworkFailure {
  for (let e = err, depth = 0; e !== null && typeof e === "object" && depth < 5; depth++) {
    const { name, code, cause } = e as { name?: unknown; code?: unknown; cause?: unknown };
    if (name === "TimeoutError" || (typeof code === "string" && TIMEOUT_CODES.has(code))) return "timeout";
    e = cause;
  }
  return "unreachable";
}

/** The coded error for a request that got no answer: how long it waited, and what to do about it. */
export function networkError(
  kind: NetworkFailure,
  path: string,
  timeoutMs: number,
  attempts: number,
): ApikeyError {
  if (kind === "timeout") {
    const seconds = timeoutMs / 1000;
    return new ApikeyError(
      ERROR_CODES.UPSTREAM_FAILED,
      `The Admin API did not answer ${path} within ${seconds} s.`,
      {
        hint: `Run the sync again: it resumes where it stopped. On a slow link, allow longer with APIKEY_VALIDATE_TIMEOUT_MS (now ${timeoutMs}).`,
        details: { path, reason: "timeout", timeoutSeconds: seconds },
      },
    );
  }
  return new ApikeyError(
    ERROR_CODES.UPSTREAM_FAILED,
    `The Admin API could not be reached for ${path} (${attempts} ${attempts === 1 ? "attempt" : "attempts"}).`,
    {
      hint: "Check the network (and ANTHROPIC_BASE_URL, if set), then run the sync again: it resumes where it stopped.",
      details: { path, reason: "unreachable", attempts },
    },
  );
}
