// The single place where rows become domain objects and back.
import type {
  AuditEntry,
  KeyRecord,
  MasterKeySlot,
  OAuthProviderRecord,
  PendingDeactivation,
  ProfileRecord,
  StoreMeta,
  StoreSecretRecord,
  UsageEvent,
} from "@apikey/core";
import { ApikeyError } from "@apikey/core/errors";
import type { GatewayTokenPatch, GatewayTokenRecord, KeyPatch } from "@apikey/core/store";
import type {
  auditLog,
  gatewayTokens,
  keys,
  masterKeySlots,
  oauthProviders,
  pendingDeactivations,
  profiles,
  storeMeta,
  storeSecrets,
  usageEvents,
} from "./schema.ts";

type KeyRow = typeof keys.$inferSelect;
type KeyInsert = typeof keys.$inferInsert;
type ProfileRow = typeof profiles.$inferSelect;
type AuditRow = typeof auditLog.$inferSelect;
type AuditInsert = typeof auditLog.$inferInsert;
type MetaRow = typeof storeMeta.$inferSelect;
type MetaInsert = typeof storeMeta.$inferInsert;
type SlotRow = typeof masterKeySlots.$inferSelect;

/** Drivers hand back Buffers (better-sqlite3) or Uint8Arrays; the domain sees plain Uint8Array copies. */
function bytes(value: Uint8Array): Uint8Array {
  return new Uint8Array(value);
}

function buffer(value: Uint8Array): Buffer {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

const maybeBytes = (value: Uint8Array | null): Uint8Array | null => (value === null ? null : bytes(value));
const maybeBuffer = (value: Uint8Array | null): Buffer | null => (value === null ? null : buffer(value));

export function keyFromRow(row: KeyRow): KeyRecord {
  return {
    ...row,
    ciphertext: bytes(row.ciphertext),
    nonce: bytes(row.nonce),
    refreshCiphertext: maybeBytes(row.refreshCiphertext),
    refreshNonce: maybeBytes(row.refreshNonce),
  };
}

export function keyToRow(key: KeyRecord): KeyInsert {
  return {
    ...key,
    ciphertext: buffer(key.ciphertext),
    nonce: buffer(key.nonce),
    refreshCiphertext: maybeBuffer(key.refreshCiphertext),
    refreshNonce: maybeBuffer(key.refreshNonce),
  };
}

export function keyPatchToRow(patch: KeyPatch): Partial<KeyInsert> {
  const { ciphertext, nonce, refreshCiphertext, refreshNonce, ...rest } = patch;
  const row: Partial<KeyInsert> = { ...rest };
  if (ciphertext !== undefined) row.ciphertext = buffer(ciphertext);
  if (nonce !== undefined) row.nonce = buffer(nonce);
  if (refreshCiphertext !== undefined) row.refreshCiphertext = maybeBuffer(refreshCiphertext);
  if (refreshNonce !== undefined) row.refreshNonce = maybeBuffer(refreshNonce);
  // An explicit `undefined` in a patch means "leave alone", not "set NULL".
  for (const [field, value] of Object.entries(row)) {
    if (value === undefined) delete row[field as keyof KeyInsert];
  }
  return row;
}

export function profileFromRow(row: ProfileRow): ProfileRecord {
  return { name: row.name, activeKeyId: row.activeKeyId, createdAt: row.createdAt };
}

export function auditFromRow(row: AuditRow): AuditEntry {
  return { ...row, details: JSON.parse(row.details) as Record<string, unknown> };
}

export function auditToRow(entry: Omit<AuditEntry, "id">): AuditInsert {
  return {
    at: entry.at,
    actor: entry.actor,
    front: entry.front,
    action: entry.action,
    keyId: entry.keyId,
    profile: entry.profile,
    details: JSON.stringify(entry.details),
  };
}

export function metaFromRow(row: MetaRow): StoreMeta {
  return { createdAt: row.createdAt, updatedAt: row.updatedAt };
}

export function metaToRow(meta: StoreMeta): MetaInsert {
  return { id: 1, createdAt: meta.createdAt, updatedAt: meta.updatedAt };
}

export function slotFromRow(row: SlotRow): MasterKeySlot {
  return {
    ...row,
    params: row.params === null ? null : slotParams(row.params),
    wrappedDek: bytes(row.wrappedDek),
    dekNonce: bytes(row.dekNonce),
  };
}

/** A slot's parameters; text that is not JSON was edited outside apikey. */
function slotParams(text: string): MasterKeySlot["params"] {
  try {
    return JSON.parse(text) as MasterKeySlot["params"];
  } catch (cause) {
    throw new ApikeyError("E_STORE_CORRUPT", "A master-key slot's parameters are damaged.", {
      cause,
      details: { reason: "slot_params" },
    });
  }
}

export function slotToRow(slot: MasterKeySlot): SlotRow {
  return {
    ...slot,
    params: slot.params === null ? null : JSON.stringify(slot.params),
    wrappedDek: buffer(slot.wrappedDek),
    dekNonce: buffer(slot.dekNonce),
  };
}

export function usageFromRow(row: typeof usageEvents.$inferSelect): UsageEvent {
  const { tokenId, ...rest } = row;
  // Absent rather than null when there is none: events from other fronts read as they did before tokens.
  return tokenId === null ? rest : { ...rest, tokenId };
}

export function usageToRow(event: Omit<UsageEvent, "id">): typeof usageEvents.$inferInsert {
  return { ...event, tokenId: event.tokenId ?? null };
}

type TokenRow = typeof gatewayTokens.$inferSelect;
type TokenInsert = typeof gatewayTokens.$inferInsert;

/** A model list that is not a JSON array of strings was edited outside apikey. */
function modelList(text: string | null): string[] | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value) && value.every((m) => typeof m === "string")) return value as string[];
  } catch {
    // Reported below.
  }
  throw new ApikeyError("E_STORE_CORRUPT", "A gateway token's model list is damaged.", {
    details: { reason: "token_models" },
  });
}

export function tokenFromRow(row: TokenRow): GatewayTokenRecord {
  return { ...row, models: modelList(row.models) };
}

export function tokenToRow(token: GatewayTokenRecord): TokenInsert {
  return { ...token, models: token.models === null ? null : JSON.stringify(token.models) };
}

export function tokenPatchToRow(patch: GatewayTokenPatch): Partial<TokenInsert> {
  const { models, ...rest } = patch;
  const row: Partial<TokenInsert> = { ...rest };
  if (models !== undefined) row.models = models === null ? null : JSON.stringify(models);
  for (const [field, value] of Object.entries(row)) {
    if (value === undefined) delete row[field as keyof TokenInsert];
  }
  return row;
}

export function deactivationFromRow(row: typeof pendingDeactivations.$inferSelect): PendingDeactivation {
  return { ...row };
}

export function oauthProviderFromRow(row: typeof oauthProviders.$inferSelect): OAuthProviderRecord {
  return { ...row, scopes: row.scopes.split(" ").filter((s) => s.length > 0) };
}

export function oauthProviderToRow(p: OAuthProviderRecord): typeof oauthProviders.$inferInsert {
  return { ...p, scopes: p.scopes.join(" ") };
}

export function storeSecretFromRow(row: typeof storeSecrets.$inferSelect): StoreSecretRecord {
  return { ...row, ciphertext: bytes(row.ciphertext), nonce: bytes(row.nonce) };
}

export function storeSecretToRow(s: StoreSecretRecord): typeof storeSecrets.$inferInsert {
  return { ...s, ciphertext: buffer(s.ciphertext), nonce: buffer(s.nonce) };
}
