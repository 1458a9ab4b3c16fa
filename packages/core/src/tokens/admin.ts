import { randomUUID } from "node:crypto";
import { open } from "../crypto/aead.ts";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import type { Store } from "../store.ts";
import { checkBudgetUsd } from "../usage/money.ts";
import { monthWindow } from "../usage/window.ts";
import { checkName, checkNameShape } from "../vault/names.ts";
import type { Session } from "../vault/session.ts";
import { generateGatewayToken, tokenHasher } from "./hash.ts";
import { parseModels } from "./policy.ts";
import type { GatewayTokenRecord } from "./port.ts";

// Gateway tokens per person or app: create (shown once), list, revoke, rotate. Every change is one transaction
// with its audit row; the token itself never reaches the store, the audit log or an error.

/** The token clients used before tokens had names; it keeps working under this name. */
export const DEFAULT_TOKEN_NAME = "default";
/** Where stores before schema 0004 kept that token, encrypted; adopted (hashed, then deleted) on first use. */
export const LEGACY_TOKEN_SECRET = "gateway-token";
const LEGACY_AAD = `apikey:secret:v1:${LEGACY_TOKEN_SECRET}`;

export interface CreateTokenInput {
  name: string;
  /** Bind to this profile; omitted: the profile the gateway runs with. */
  profile?: string | null;
  /** USD per UTC calendar month. */
  budgetUsd?: number | null;
  /** Refuse requests past the budget (402) instead of only warning. */
  block?: boolean;
  expiresAt?: Date | null;
  models?: readonly string[] | null;
}

export interface TokenView {
  id: string;
  name: string;
  profile: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  models: string[] | null;
  budgetUsd: number | null;
  budgetMode: "warn" | "block";
  state: "active" | "expired" | "revoked";
  /** Priced spend this UTC month through the gateway with this token. */
  monthSpendUsd: number;
}

export function toTokenView(t: GatewayTokenRecord, now: Date, monthSpendUsd = 0): TokenView {
  return {
    id: t.id,
    name: t.name,
    profile: t.profile,
    createdAt: t.createdAt,
    expiresAt: t.expiresAt,
    lastUsedAt: t.lastUsedAt,
    revokedAt: t.revokedAt,
    models: t.models,
    budgetUsd: t.monthlyBudgetUsd,
    budgetMode: t.budgetMode,
    state: t.revokedAt ? "revoked" : t.expiresAt && t.expiresAt <= now ? "expired" : "active",
    monthSpendUsd,
  };
}

function checkBudget(usd: number | null | undefined): number | null {
  return usd === null || usd === undefined ? null : checkBudgetUsd(usd);
}

function notFound(name: string): ApikeyError {
  return new ApikeyError(ERROR_CODES.TOKEN_NOT_FOUND, `No gateway token named "${name}".`, {
    details: { token: name },
  });
}

/** Makes a token; returns it (the only time it exists outside the clients that hold it) and its view. */
export async function createToken(
  s: Session,
  input: CreateTokenInput,
): Promise<{ token: string; view: TokenView }> {
  const name = checkName(input.name, "token");
  const budgetUsd = checkBudget(input.budgetUsd);
  const models = input.models ? parseModels(input.models) : null;
  const now = s.now();
  if (input.expiresAt && input.expiresAt <= now) {
    throw new ApikeyError(ERROR_CODES.USAGE, "A token's expiry must be in the future.", {
      details: { field: "expires" },
    });
  }
  const hash = tokenHasher(await s.unlock());
  const token = generateGatewayToken();
  const record: GatewayTokenRecord = {
    id: randomUUID(),
    name,
    profile: input.profile ?? null,
    hash: hash(token),
    monthlyBudgetUsd: budgetUsd,
    budgetMode: input.block ? "block" : "warn",
    models,
    expiresAt: input.expiresAt ?? null,
    createdAt: now,
    updatedAt: now,
    lastUsedAt: null,
    revokedAt: null,
  };
  await s.store.transaction(async (tx) => {
    await adoptIn(s, tx);
    if (record.profile !== null && !(await tx.profiles.get(record.profile))) {
      throw new ApikeyError(ERROR_CODES.PROFILE_NOT_FOUND, `No profile named "${record.profile}".`, {
        details: { profile: record.profile },
      });
    }
    if (await tx.tokens.byName(name)) {
      throw new ApikeyError(ERROR_CODES.NAME_TAKEN, `A gateway token named "${name}" already exists.`, {
        details: { token: name },
      });
    }
    await tx.tokens.insert(record);
    await s.auditIn(tx, "gateway.token.create", null, record.profile, {
      token: name,
      budgetUsd,
      budgetMode: record.budgetMode,
      models,
      expiresAt: record.expiresAt?.toISOString() ?? null,
    });
  });
  return { token, view: toTokenView(record, now) };
}

/** Every token (revoked ones when asked) with its month-to-date spend. Never the tokens themselves. */
export async function listTokens(s: Session, opts: { includeRevoked?: boolean } = {}): Promise<TokenView[]> {
  // Like every other token use case, the list shows a pre-0004 store's token as `default`, adopted.
  await adoptLegacyToken(s);
  const now = s.now();
  const [tokens, spend] = await Promise.all([
    s.store.tokens.list(opts),
    s.store.usage.spendByToken(monthWindow(now)),
  ]);
  const byToken = new Map(spend.map((r) => [r.tokenId, r.costUsd]));
  return tokens.map((t) => toTokenView(t, now, byToken.get(t.id) ?? 0));
}

/** Revokes a token: every gateway refuses it from its next request on. */
export async function revokeToken(s: Session, name: string): Promise<TokenView> {
  // A name that cannot be a token's (a pasted token or key?) is refused before it could be echoed as "not found".
  checkNameShape(name, "token");
  const now = s.now();
  return s.store.transaction(async (tx) => {
    await adoptIn(s, tx);
    const t = await tx.tokens.byName(name);
    if (!t) throw notFound(name);
    await tx.tokens.update(t.id, { revokedAt: now, updatedAt: now });
    await s.auditIn(tx, "gateway.token.revoke", null, t.profile, { token: t.name });
    return toTokenView({ ...t, revokedAt: now, updatedAt: now }, now);
  });
}

/** Replaces a token's value, keeping its name, settings and usage; holders of the old value are refused. */
export async function rotateToken(s: Session, name: string): Promise<{ token: string; view: TokenView }> {
  checkNameShape(name, "token");
  const hash = tokenHasher(await s.unlock());
  const token = generateGatewayToken();
  const now = s.now();
  const view = await s.store.transaction(async (tx) => {
    await adoptIn(s, tx);
    const t = await tx.tokens.byName(name);
    if (!t) throw notFound(name);
    await tx.tokens.update(t.id, { hash: hash(token), updatedAt: now });
    await s.auditIn(tx, "gateway.token.rotate", null, t.profile, { token: t.name });
    return toTokenView({ ...t, updatedAt: now }, now);
  });
  return { token, view };
}

/** Moves a pre-0004 store's single encrypted token into the table as `default` (hashed). Idempotent. */
export async function adoptLegacyToken(s: Session): Promise<boolean> {
  if (!(await s.store.secrets.get(LEGACY_TOKEN_SECRET))) return false;
  return s.store.transaction((tx) => adoptIn(s, tx));
}

async function adoptIn(s: Session, tx: Store): Promise<boolean> {
  const row = await tx.secrets.get(LEGACY_TOKEN_SECRET);
  if (!row) return false;
  const dek = await s.unlock();
  const legacy = open(dek, row.ciphertext, row.nonce, LEGACY_AAD).toString("utf8");
  const now = s.now();
  // A `default` made meanwhile keeps its name; the old token still works, under another.
  const name = (await tx.tokens.byName(DEFAULT_TOKEN_NAME)) ? "default-previous" : DEFAULT_TOKEN_NAME;
  await tx.tokens.insert({
    id: randomUUID(),
    name,
    profile: null,
    hash: tokenHasher(dek)(legacy),
    monthlyBudgetUsd: null,
    budgetMode: "warn",
    models: null,
    expiresAt: null,
    createdAt: row.updatedAt,
    updatedAt: now,
    lastUsedAt: null,
    revokedAt: null,
  });
  await tx.secrets.delete(LEGACY_TOKEN_SECRET);
  await s.auditIn(tx, "gateway.token.adopt", null, null, { token: name });
  return true;
}
