import {
  budgetState,
  type Hold,
  isApikeyError,
  isOAuthTokenKind,
  modelAllowed,
  type Reservations,
} from "@apikey/core";
import type { ActiveKey, ActiveKeys } from "./active-key.ts";
import type { PresentedCredential } from "./auth.ts";
import type { Endpoint } from "./endpoints.ts";
import { budgetWarning, type Refusal, refuse } from "./messages.ts";
import { requestedModels } from "./request-models.ts";
import type { SpendCache } from "./spend-cache.ts";
import type { TokenEntry, TokenTable } from "./token-table.ts";

// Whether one request may go upstream, and with which key: its token must be known, live and unexpired, allowed
// the model it names, and within its budget; its profile's active key must be usable, an API key or OAuth token
// (never an Admin key), and within its budget. A blocking budget counts what admitted requests still in flight may
// cost (core's usage holds) with what is recorded.
// Everything here reads memory (the caches are refreshed when another process commits); nothing is forwarded
// before a request is admitted.

export type Decision<T> = { ok: true; value: T } | { ok: false; refusal: Refusal; reason: string };

const no = (refusal: Refusal, reason: string): { ok: false; refusal: Refusal; reason: string } => ({
  ok: false,
  refusal,
  reason,
});

export async function authenticate(
  tokens: TokenTable,
  credential: PresentedCredential | null,
  now: number,
): Promise<Decision<TokenEntry>> {
  if (!credential) return no(refuse.missingToken(), "gateway token missing");
  const token = await tokens.find(credential.value);
  if (!token) return no(refuse.invalidToken(), "gateway token invalid");
  if (token.revoked) return no(refuse.revokedToken(token.name), `token ${token.name} revoked`);
  if (token.expiresAt !== null && token.expiresAt <= now)
    return no(refuse.expiredToken(token.name, token.expiresAt), `token ${token.name} expired`);
  return { ok: true, value: token };
}

/** Whether the request's body must be read before it is admitted: it names the models of a model-limited token. */
export function readsBody(token: TokenEntry, endpoint: Endpoint): boolean {
  return token.models !== null && (endpoint.models.from === "body" || endpoint.models.from === "batch");
}

/**
 * For a token limited to some models, at every endpoint: the models the request names (in its body, read strictly,
 * or its path) must all be allowed. `body` is the whole body when `readsBody` said so.
 */
export function checkEndpointModels(
  token: TokenEntry,
  endpoint: Endpoint,
  body: Buffer | null,
): Decision<null> {
  if (token.models === null) return { ok: true, value: null };
  const source = endpoint.models;
  if (source.from === "none") return { ok: true, value: null };
  if (source.from === "path") return checkModels(token, [source.model]);
  const read = requestedModels(body ?? Buffer.alloc(0), source.from);
  if (!read.ok) return no(refuse.ambiguousBody(read.duplicateKey), `token ${token.name} ambiguous body`);
  return checkModels(token, read.models);
}

/** For a token limited to some models: every model the request names must be allowed, and it must name one. */
export function checkModels(token: TokenEntry, requested: readonly string[]): Decision<null> {
  const allowed = token.models;
  if (allowed === null) return { ok: true, value: null };
  if (requested.length === 0)
    return no(refuse.modelUnknown(token.name, allowed), `token ${token.name} no model`);
  for (const model of requested) {
    if (!modelAllowed(allowed, model))
      return no(refuse.modelNotAllowed(token.name, model, allowed), `token ${token.name} model refused`);
  }
  return { ok: true, value: null };
}

export interface Grant {
  key: ActiveKey;
  token: TokenEntry;
  /** For the budget-warning header: a budget past 80 %. */
  warning: string | null;
  /** What this request holds against blocking budgets while in flight; released once its usage is recorded. */
  hold: Hold | null;
}

export interface Budgets {
  keys: SpendCache;
  tokens: SpendCache;
  /** Worst cases held by admitted requests still in flight. */
  held: Reservations;
  /** Accounting trouble must not take the API away: it is reported and the request goes on. */
  onError(err: unknown): void;
}

/** The profile's active key, or why there is none to use. */
export async function keyFor(profile: string, keys: ActiveKeys): Promise<Decision<ActiveKey>> {
  try {
    const key = await keys.current(profile);
    if (!sendableUpstream(key)) return no(refuse.adminKey(key.name), `key ${key.name} is an Admin key`);
    return { ok: true, value: key };
  } catch (err) {
    return isApikeyError(err)
      ? no(refuse.keyUnavailable(err.message), err.code)
      : no(refuse.storeUnreadable(), "store error");
  }
}

/**
 * Message batches are not metered: their usage arrives with the results, long after the money is spent, and
 * nothing could hold their cost meanwhile. So a batch is not created for a token with any budget, nor with a key
 * whose budget blocks; listing, fetching results and cancelling stay open (they cost nothing).
 */
export function checkBatch(endpoint: Endpoint, token: TokenEntry, key: ActiveKey): Decision<null> {
  if (endpoint.name !== "batches.create") return { ok: true, value: null };
  if (token.budgetUsd !== null)
    return no(refuse.batchWithTokenBudget(token.name), `token ${token.name} has a budget: batch refused`);
  if (key.budgetUsd !== null && key.blockOverBudget)
    return no(refuse.batchWithKeyBudget(key.name), `key ${key.name} has a blocking budget: batch refused`);
  return { ok: true, value: null };
}

/** Whether a budget that refuses requests applies: then a request that may cost holds its worst case. */
export function blockingBudget(token: TokenEntry, key: ActiveKey): boolean {
  return (
    (token.budgetUsd !== null && token.blockOverBudget) || (key.budgetUsd !== null && key.blockOverBudget)
  );
}

/** One budget's verdict: refused over recorded spend, refused for what requests in flight hold, or a warning. */
function judge(
  spent: number,
  held: number,
  budget: number,
  block: boolean,
  mayCost: boolean,
): "over" | "held" | "warn" | "ok" {
  const state = budgetState(spent, budget);
  if (state === "over" && block) return "over";
  // Admitted only while what is recorded and held is within the budget: together, the requests in flight can
  // then pass it by at most one request's worst case (the last one admitted).
  if (block && mayCost && spent + held > budget) return "held";
  return state === "warn" || state === "over" ? "warn" : "ok";
}

/**
 * Budgets, for a request whose worst case is `worstCaseUsd` (null: it cannot cost anything). A blocking budget
 * refuses it when the month's recorded spend is past the budget (402), or when that spend and what requests in
 * flight hold are (429: retry once they finish); otherwise it is admitted holding its worst case.
 */
export async function authorize(
  token: TokenEntry,
  key: ActiveKey,
  budgets: Budgets,
  worstCaseUsd: number | null,
): Promise<Decision<Grant>> {
  let tokenRead = 0;
  let keyRead = 0;
  try {
    if (token.budgetUsd !== null) tokenRead = await budgets.tokens.spent(token.id);
    if (key.budgetUsd !== null) keyRead = await budgets.keys.spent(key.keyId);
  } catch (err) {
    budgets.onError(err);
  }
  // From here on one synchronous step: no usage can be committed, no hold taken or released, between the check
  // and the hold (the figures are taken again from memory, as the awaits above may have let others move them).
  const mayCost = worstCaseUsd !== null;
  let warning: string | null = null;
  const holdFor: string[] = [];
  if (token.budgetUsd !== null) {
    const spent = budgets.tokens.cached(token.id) ?? tokenRead;
    const held = budgets.held.held(token.id);
    const verdict = judge(spent, held, token.budgetUsd, token.blockOverBudget, mayCost);
    if (verdict === "over")
      return no(
        refuse.tokenOverBudget(token.name, token.budgetUsd, spent),
        `token ${token.name} over budget`,
      );
    if (verdict === "held")
      return no(
        refuse.tokenBudgetHeld(token.name, token.budgetUsd, spent),
        `token ${token.name} budget held by requests in flight`,
      );
    if (verdict === "warn") warning = budgetWarning("token", token.name, token.budgetUsd, spent);
    if (token.blockOverBudget) holdFor.push(token.id);
  }
  if (key.budgetUsd !== null) {
    const spent = budgets.keys.cached(key.keyId) ?? keyRead;
    const held = budgets.held.held(key.keyId);
    const verdict = judge(spent, held, key.budgetUsd, key.blockOverBudget, mayCost);
    if (verdict === "over")
      return no(refuse.keyOverBudget(key.name, key.budgetUsd, spent), `key ${key.name} over budget`);
    if (verdict === "held")
      return no(
        refuse.keyBudgetHeld(key.name, key.budgetUsd, spent),
        `key ${key.name} budget held by requests in flight`,
      );
    if (verdict === "warn") warning ??= budgetWarning("key", key.name, key.budgetUsd, spent);
    if (key.blockOverBudget) holdFor.push(key.keyId);
  }
  const hold = mayCost && holdFor.length > 0 ? budgets.held.hold(holdFor, worstCaseUsd) : null;
  return { ok: true, value: { key, token, warning, hold } };
}

/**
 * Only credentials made for the model endpoints go upstream. An Admin key can manage the organization (deactivate
 * its keys, read its usage); swapped into a client's request it would hand that power to every gateway token. The
 * kind is sealed into the row with the secret; the prefix is checked too, in case a row's kind is ever wrong.
 */
export function sendableUpstream(key: Pick<ActiveKey, "kind" | "secret">): boolean {
  return (
    (key.kind === "api" || isOAuthTokenKind(key.kind)) && !key.secret.toLowerCase().startsWith("sk-ant-admin")
  );
}
