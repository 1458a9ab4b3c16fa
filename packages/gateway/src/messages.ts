import { formatUsd } from "@apikey/core";
// Every answer the gateway gives a client itself, in one place. They reach people through API clients (Claude
// Code, the SDKs, curl), so they say what happened and what the client or its user can do, in the API's own
// error types, and never in one front's syntax: no command lines, no flags (a guard test keeps it so).

export interface Refusal {
  status: number;
  /** The API's error type: clients branch on it (401 stops, 402 is "a person must act", 5xx may be retried). */
  type: string;
  message: string;
  headers?: Record<string, string>;
}

/** The official SDKs retry 5xx, 429 and 408 unless told not to; a refusal a retry cannot change says so. */
const NO_RETRY = { "x-should-retry": "false" };
/** Client-chosen text echoed back stays short and printable. */
const quoted = (s: string): string => JSON.stringify(s.replace(/[^\x20-\x7e]/g, "?").slice(0, 80));

/** The endpoints the gateway forwards (see endpoints.ts), as a refusal names them. */
const FORWARDED =
  "POST /v1/messages, POST /v1/messages/count_tokens, GET /v1/models, GET /v1/models/{id} and the message batches endpoints under /v1/messages/batches";

export const refuse = {
  wrongHost: (): Refusal => ({
    status: 403,
    type: "permission_error",
    message:
      "apikey gateway: the Host header does not name this gateway's address (127.0.0.1, localhost or [::1] with its port).",
  }),
  missingToken: (): Refusal => ({
    status: 401,
    type: "authentication_error",
    message:
      "apikey gateway: no gateway token was sent. Send your gateway token as the API key (x-api-key or Authorization: Bearer).",
  }),
  invalidToken: (): Refusal => ({
    status: 401,
    type: "authentication_error",
    message:
      "apikey gateway: this gateway token is not valid (mistyped, or replaced by a newer one). Ask whoever runs the gateway for yours.",
  }),
  revokedToken: (name: string): Refusal => ({
    status: 401,
    type: "authentication_error",
    message: `apikey gateway: the gateway token ${quoted(name)} was revoked. Ask whoever runs the gateway for a new one.`,
  }),
  expiredToken: (name: string, at: number): Refusal => ({
    status: 401,
    type: "authentication_error",
    message: `apikey gateway: the gateway token ${quoted(name)} expired at ${new Date(at).toISOString()}. Ask whoever runs the gateway for a new one.`,
  }),
  modelNotAllowed: (name: string, model: string, allowed: readonly string[]): Refusal => ({
    status: 403,
    type: "permission_error",
    message: `apikey gateway: the gateway token ${quoted(name)} may not use model ${quoted(model)}; it may use ${allowed.join(", ")}.`,
  }),
  modelUnknown: (name: string, allowed: readonly string[]): Refusal => ({
    status: 403,
    type: "permission_error",
    message: `apikey gateway: the gateway token ${quoted(name)} may only use ${allowed.join(", ")}, and this request names no model the gateway can check. Send a JSON body with a "model".`,
  }),
  adminApi: (): Refusal => ({
    status: 403,
    type: "permission_error",
    message: `apikey gateway: the Admin API (/v1/organizations/...) is never forwarded; the gateway forwards ${FORWARDED} only. Organization management needs an Admin key, used directly and not through this gateway.`,
  }),
  notForwarded: (method: string, path: string): Refusal => ({
    status: 404,
    type: "not_found_error",
    message: `apikey gateway: ${quoted(`${method} ${path}`)} is not an endpoint the gateway forwards; it forwards ${FORWARDED} only.`,
  }),
  ambiguousBody: (key: string): Refusal => ({
    status: 400,
    type: "invalid_request_error",
    message: `apikey gateway: the JSON body names the key ${quoted(key)} more than once (or in two spellings of one name); servers disagree on which one counts, so it is not forwarded. Send each key once.`,
  }),
  adminKey: (keyName: string): Refusal => ({
    status: 503,
    type: "api_error",
    message: `apikey gateway: the active key of this gateway's profile, ${quoted(keyName)}, is an Admin key; the gateway never sends an Admin key upstream (it can manage the organization, and cannot call the model endpoints). Whoever runs the gateway must make an ordinary API key the profile's active key.`,
    headers: NO_RETRY,
  }),
  bodyTooLarge: (limitBytes: number): Refusal => ({
    status: 413,
    type: "request_too_large",
    message: `apikey gateway: the request body is larger than ${Math.round(limitBytes / 2 ** 20)} MiB.`,
  }),
  keyUnavailable: (reason: string): Refusal => ({
    status: 503,
    type: "api_error",
    message: `apikey gateway: no usable API key for this request: ${reason} Whoever runs the gateway must choose a working key for its profile.`,
    headers: NO_RETRY,
  }),
  storeUnreadable: (): Refusal => ({
    status: 503,
    type: "api_error",
    message: "apikey gateway: the key store could not be read. Try again shortly.",
  }),
  keyOverBudget: (keyName: string, budgetUsd: number, spentUsd: number): Refusal => ({
    status: 402,
    type: "billing_error",
    message: `apikey gateway: the API key ${quoted(keyName)} has spent ${formatUsd(spentUsd)} of its ${formatUsd(budgetUsd)} monthly budget this month (UTC); requests with it are refused until the month ends or the budget is raised.`,
    headers: NO_RETRY,
  }),
  tokenOverBudget: (tokenName: string, budgetUsd: number, spentUsd: number): Refusal => ({
    status: 402,
    type: "billing_error",
    message: `apikey gateway: the gateway token ${quoted(tokenName)} has spent ${formatUsd(spentUsd)} of its ${formatUsd(budgetUsd)} monthly budget this month (UTC); its requests are refused until the month ends or the budget is raised.`,
    headers: NO_RETRY,
  }),
  tokenBudgetHeld: (tokenName: string, budgetUsd: number, spentUsd: number): Refusal => ({
    status: 429,
    type: "rate_limit_error",
    message: `apikey gateway: the gateway token ${quoted(tokenName)} has spent ${formatUsd(spentUsd)} of its ${formatUsd(budgetUsd)} monthly budget this month (UTC), and its requests in flight may use the rest; retry when they have finished.`,
    headers: { "retry-after": "1" },
  }),
  keyBudgetHeld: (keyName: string, budgetUsd: number, spentUsd: number): Refusal => ({
    status: 429,
    type: "rate_limit_error",
    message: `apikey gateway: the API key ${quoted(keyName)} has spent ${formatUsd(spentUsd)} of its ${formatUsd(budgetUsd)} monthly budget this month (UTC), and requests in flight may use the rest; retry when they have finished.`,
    headers: { "retry-after": "1" },
  }),
  batchWithTokenBudget: (tokenName: string): Refusal => ({
    status: 403,
    type: "permission_error",
    message: `apikey gateway: the gateway token ${quoted(tokenName)} has a monthly budget, and the gateway cannot meter message batches (their usage arrives with the results, after the money is spent), so it does not create batches for tokens with a budget. Send the requests to /v1/messages one by one, or ask whoever runs the gateway for a token without a budget.`,
    headers: NO_RETRY,
  }),
  batchWithKeyBudget: (keyName: string): Refusal => ({
    status: 403,
    type: "permission_error",
    message: `apikey gateway: the API key ${quoted(keyName)} has a monthly budget that refuses requests past it, and the gateway cannot meter message batches (their usage arrives with the results, after the money is spent), so it does not create batches with it. Send the requests to /v1/messages one by one, or ask whoever runs the gateway to lift the key's blocking budget.`,
    headers: NO_RETRY,
  }),
  connectTimeout: (ms: number): Refusal => ({
    status: 504,
    type: "timeout_error",
    message: `apikey gateway: could not connect to the upstream API within ${ms / 1000} s. Retry later.`,
  }),
  silenceTimeout: (ms: number): Refusal => ({
    status: 504,
    type: "timeout_error",
    message: `apikey gateway: the upstream API sent nothing for ${ms / 1000} s. Retry later.`,
  }),
  upstreamUnreachable: (code: string): Refusal => ({
    status: 502,
    type: "api_error",
    message: `apikey gateway: the upstream API could not be reached (${code}). Retry later.`,
  }),
  internal: (): Refusal => ({ status: 500, type: "api_error", message: "apikey gateway: internal error." }),
};

/** The `apikey-budget-warning` header's text, from 80 % of a budget (ASCII only: it is a header). */
export function budgetWarning(
  what: "key" | "token",
  name: string,
  budgetUsd: number,
  spentUsd: number,
): string {
  const who = what === "key" ? `API key ${quoted(name)}` : `gateway token ${quoted(name)}`;
  const share = Math.floor((spentUsd / budgetUsd) * 100);
  return `${who} has used ${share}% of its ${formatUsd(budgetUsd)} monthly budget (${formatUsd(spentUsd)} spent this month, UTC).`;
}
