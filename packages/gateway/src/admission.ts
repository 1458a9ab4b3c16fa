import { isApikeyError } from "@apikey/core";
import { modelAllowed } from "@apikey/core/tokens";
import { budgetState } from "@apikey/core/usage";
import type { ActiveKey, ActiveKeys } from "./active-key.ts";
import type { PresentedCredential } from "./auth.ts";
import type { Endpoint } from "./endpoints.ts";
import { budgetWarning, type Refusal, refuse } from "./messages.ts";
import { requestedModels } from "./request-models.ts";
import type { SpendCache } from "./spend-cache.ts";
import type { TokenEntry, TokenTable } from "./token-table.ts";

// Whether one request may go upstream, and with which key: its token must be known, live and unexpired, allowed
// the model it names, and within its budget; its profile's active key must be usable, an API key or OAuth token
// (never an Admin key), and within its budget.
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
}

export interface Budgets {
  keys: SpendCache;
  tokens: SpendCache;
  /** Accounting trouble must not take the API away: it is reported and the request goes on. */
  onError(err: unknown): void;
}

export async function authorize(
  token: TokenEntry,
  profile: string,
  keys: ActiveKeys,
  budgets: Budgets,
): Promise<Decision<Grant>> {
  let key: ActiveKey;
  try {
    key = await keys.current(profile);
  } catch (err) {
    return isApikeyError(err)
      ? no(refuse.keyUnavailable(err.message), err.code)
      : no(refuse.storeUnreadable(), "store error");
  }
  if (!sendableUpstream(key)) return no(refuse.adminKey(key.name), `key ${key.name} is an Admin key`);
  let warning: string | null = null;
  try {
    if (token.budgetUsd !== null) {
      const spent = await budgets.tokens.spent(token.id);
      const state = budgetState(spent, token.budgetUsd);
      if (state === "over" && token.blockOverBudget)
        return no(
          refuse.tokenOverBudget(token.name, token.budgetUsd, spent),
          `token ${token.name} over budget`,
        );
      if (state === "warn" || state === "over")
        warning = budgetWarning("token", token.name, token.budgetUsd, spent);
    }
    if (key.budgetUsd !== null) {
      const spent = await budgets.keys.spent(key.keyId);
      const state = budgetState(spent, key.budgetUsd);
      if (state === "over" && key.blockOverBudget)
        return no(refuse.keyOverBudget(key.name, key.budgetUsd, spent), `key ${key.name} over budget`);
      if (state === "warn" || state === "over")
        warning ??= budgetWarning("key", key.name, key.budgetUsd, spent);
    }
  } catch (err) {
    budgets.onError(err);
  }
  return { ok: true, value: { key, token, warning } };
}

/**
 * Only credentials made for the model endpoints go upstream. An Admin key can manage the organization (deactivate
 * its keys, read its usage); swapped into a client's request it would hand that power to every gateway token. The
 * kind is sealed into the row with the secret; the prefix is checked too, in case a row's kind is ever wrong.
 */
export function sendableUpstream(key: Pick<ActiveKey, "kind" | "secret">): boolean {
  return (key.kind === "api" || key.kind === "oauth") && !key.secret.toLowerCase().startsWith("sk-ant-admin");
}
