import { randomUUID } from "node:crypto";
import { decryptSecret, fingerprintSecret } from "../crypto/index.ts";
import { DEFAULT_PROFILE, type KeyRecord, type KeySource, type KeyStatus } from "../domain.ts";
import { ApikeyError, ERROR_CODES, isApikeyError } from "../errors.ts";
import { federatedSecret, validateFederated } from "../federation/use.ts";
import { recogniseKey } from "../key-format.ts";
import type { Store } from "../store.ts";
import { STORABLE, type ValidationResult } from "../validate/classify.ts";
import { nextVerdict } from "../validate/verdict.ts";
import { activatesByDefault, type NotActivated } from "./default-active.ts";
import { envKeyView } from "./env-key-view.ts";
import { checkName } from "./names.ts";
import { newKeyRecord, secretFields } from "./new-key.ts";
import { createProfileIn, ensureProfile } from "./profiles.ts";
import { nameTaken, notUsable, profileNotFound } from "./refusals.ts";
import { resealFields } from "./seal.ts";
import type { Session } from "./session.ts";
import { type KeyView, type ListedRows, toView } from "./views.ts";

// The key lifecycle: add, read, switch, rename, enable/disable, delete, validate, reveal. Every mutation runs in one
// store transaction and writes one audit entry.

export interface AddKeyInput {
  name: string;
  secret: string;
  profile?: string;
  source?: KeySource;
  validate?: boolean;
  organization?: string | null;
  /**
   * Create `profile` first when it does not exist yet, in the same transaction (a team's config may name a profile
   * its operator's first key creates). Without it, a profile other than `default` must exist.
   */
  createProfile?: boolean;
}

export interface AddKeyResult {
  key: KeyView;
  validation: ValidationResult | null;
  /** Why the new key did not become its profile's active key (null when it did). */
  notActivated: NotActivated | null;
}

export async function listKeys(s: Session, filter: { profile?: string } = {}, read?: ListedRows) {
  const { store, config } = s;
  const listed = read?.keys ?? store.keys.list({ ...filter, secrets: false });
  const [keys, profiles] = await Promise.all([listed, read?.profiles ?? store.profiles.list()]);
  // Like `active` and `add`: a profile that does not exist is an error, not an empty list.
  const asked = filter.profile;
  if (asked !== undefined && asked !== DEFAULT_PROFILE && !profiles.some((p) => p.name === asked)) {
    throw profileNotFound(asked);
  }
  const active = new Set(profiles.map((p) => p.activeKeyId).filter((id): id is string => id !== null));
  const views = keys.map((k) => toView(k, active.has(k.id) ? k.id : null));
  if (config.envApiKey && filter.profile === undefined) views.push(envKeyView(config.envApiKey));
  return views;
}

export async function getKey(s: Session, name: string, profile = DEFAULT_PROFILE): Promise<KeyView> {
  const key = await findKey(s.store, name, profile);
  const p = await s.store.profiles.get(profile);
  return toView(key, p?.activeKeyId ?? null);
}

export async function addKey(s: Session, input: AddKeyInput): Promise<AddKeyResult> {
  const profile = input.profile ?? DEFAULT_PROFILE;
  const name = checkName(input.name, "key");
  if (input.createProfile) checkName(profile, "profile");
  const { kind, secret } = recogniseKey(input.secret);
  for (let attempt = 1; ; attempt++) {
    const writer = await s.prepareWrite();
    try {
      return await insertNew(s, writer, { ...input, name, profile, kind, secret });
    } catch (err) {
      writer.discard();
      // Lost the race to create the store: it exists now, so write into it (its master key opens it).
      if (
        attempt === 1 &&
        isApikeyError(err, ERROR_CODES.STORE_BUSY) &&
        err.details.reason === "created_concurrently"
      ) {
        continue;
      }
      throw err;
    }
  }
}

/** What a path that made its own checks passes on: a validation already done, fields that differ by kind. */
export interface InsertExtras {
  validation?: ValidationResult | null;
  fields?: Partial<Pick<KeyRecord, "hint" | "organization">>;
}

export async function insertNew(
  s: Session,
  writer: { dek: Buffer; commit(tx: Store): Promise<void> },
  input: AddKeyInput & { profile: string; kind: KeyRecord["kind"] } & InsertExtras,
): Promise<AddKeyResult> {
  const { name, profile, kind, secret } = input;
  const fingerprint = fingerprintSecret(writer.dek, secret);
  await refuseDuplicate(s.store, fingerprint, name, profile);

  // Validate before the transaction: a slow network must not hold the write lock.
  const validation =
    input.validation !== undefined
      ? input.validation
      : input.validate === false
        ? null
        : await s.validateSecret(secret, kind);
  if (validation && !STORABLE.has(validation.outcome)) {
    throw new ApikeyError(ERROR_CODES.KEY_INVALID, validation.message, {
      hint: "Nothing was stored. Check you copied the whole key, or create a new one in the Anthropic Console.",
    });
  }

  const now = s.now();
  const id = randomUUID();
  const record = newKeyRecord({
    ...secretFields(writer.dek, { id, profile, name, kind }, secret, fingerprint, validation, now),
    name,
    profile,
    kind,
    source: input.source ?? "manual",
    organization: input.organization ?? null,
    ...input.fields,
  });
  let becameActive = false;
  let notActivated: NotActivated | null = null;
  await s.store.transaction(async (tx) => {
    await writer.commit(tx);
    await refuseDuplicate(tx, fingerprint, name, profile);
    if (input.createProfile && !(await tx.profiles.get(profile))) await createProfileIn(s, tx, profile);
    const p = await ensureProfile(s, tx, profile);
    await tx.keys.insert(record);
    // The first key of a profile becomes its active key: the obvious thing after `apikey add`, except for a key
    // that may only become active when asked for by name.
    if (p.activeKeyId !== null) notActivated = "profile_has_active_key";
    else if (!activatesByDefault(kind)) notActivated = "admin_key";
    else {
      await tx.profiles.setActiveKey(profile, id);
      becameActive = true;
    }
    await s.auditIn(tx, "key.add", id, profile, {
      name,
      kind,
      source: record.source,
      validation: record.validation,
      activated: becameActive,
    });
  });
  return { key: toView(record, becameActive ? id : null), validation, notActivated };
}

export async function addKeyFromEnv(
  s: Session,
  name: string,
  options: { profile?: string; validate?: boolean } = {},
): Promise<AddKeyResult> {
  const secret = s.config.envApiKey;
  if (!secret) {
    throw new ApikeyError(ERROR_CODES.KEY_EMPTY, "ANTHROPIC_API_KEY is not set in this environment.", {
      hint: "Export it first, or add the key from a prompt or stdin instead.",
    });
  }
  return addKey(s, { name, secret, source: "env", ...options });
}

export async function revealKey(
  s: Session,
  name: string,
  profile = DEFAULT_PROFILE,
  reason = "reveal",
): Promise<string> {
  const key = await findKey(s.store, name, profile);
  const dek = await s.unlock();
  const decrypted = decryptSecret(dek, key);
  // A federated key has nothing stored to reveal: what it hands out is a token minted now (references use this).
  const secret = key.kind === "federated" ? await federatedSecret(s, key.id, decrypted) : decrypted;
  await s.store.transaction((tx) => s.auditIn(tx, "key.reveal", key.id, profile, { name, reason }));
  return secret;
}

export async function useKey(s: Session, name: string, profile = DEFAULT_PROFILE): Promise<KeyView> {
  return s.store.transaction(async (tx) => {
    const key = await findKey(tx, name, profile);
    if (key.status !== "active") throw notUsable(key);
    await tx.profiles.setActiveKey(profile, key.id);
    await s.auditIn(tx, "key.use", key.id, profile, { name });
    return toView(key, key.id);
  });
}

export async function renameKey(
  s: Session,
  name: string,
  newName: string,
  profile = DEFAULT_PROFILE,
): Promise<KeyView> {
  checkName(newName, "key");
  // The secret is sealed to the name, so a rename re-seals it in the same transaction.
  const dek = await s.unlock();
  return s.store.transaction(async (tx) => {
    const key = await findKey(tx, name, profile);
    if (name === newName) return viewIn(tx, key);
    if (await tx.keys.byName(profile, newName)) throw nameTaken(newName, profile);
    await tx.keys.update(key.id, {
      ...resealFields(dek, key, { ...key, name: newName }),
      name: newName,
      updatedAt: s.now(),
    });
    await s.auditIn(tx, "key.rename", key.id, profile, { from: name, to: newName });
    return viewIn(tx, { ...key, name: newName });
  });
}

export async function deleteKey(s: Session, name: string, profile = DEFAULT_PROFILE): Promise<KeyView> {
  return s.store.transaction(async (tx) => {
    const key = await findKey(tx, name, profile);
    const view = await viewIn(tx, key);
    // The profile's pointer is cleared by the foreign key (ON DELETE SET NULL); done explicitly too so the
    // behaviour does not hang on a pragma.
    if (view.active) await tx.profiles.setActiveKey(profile, null);
    await tx.keys.delete(key.id);
    await s.auditIn(tx, "key.delete", key.id, profile, { name, wasActive: view.active });
    return view;
  });
}

export async function validateStoredKey(
  s: Session,
  name: string,
  profile = DEFAULT_PROFILE,
): Promise<{ key: KeyView; validation: ValidationResult }> {
  const key = await findKey(s.store, name, profile);
  const dek = await s.unlock();
  const secret = decryptSecret(dek, key);
  const validation =
    key.kind === "federated"
      ? await validateFederated(s, key.id, secret)
      : await s.validateSecret(secret, key.kind, { workspace: key.workspace });
  const now = s.now();
  const { kept, ...verdict } = nextVerdict(key, validation, now);
  return s.store.transaction(async (tx) => {
    await tx.keys.update(key.id, { ...verdict, updatedAt: now });
    await s.auditIn(tx, "key.validate", key.id, profile, {
      name,
      outcome: validation.outcome,
      ...(kept && { kept: verdict.validation }),
    });
    const view = await viewIn(tx, { ...key, ...verdict });
    return { key: view, validation };
  });
}

export async function setStatus(
  s: Session,
  name: string,
  profile: string,
  status: KeyStatus,
): Promise<KeyView> {
  return s.store.transaction(async (tx) => {
    const key = await findKey(tx, name, profile);
    if (key.status === status) return viewIn(tx, key);
    await tx.keys.update(key.id, { status, updatedAt: s.now() });
    await s.auditIn(tx, status === "active" ? "key.enable" : "key.disable", key.id, profile, { name });
    return viewIn(tx, { ...key, status });
  });
}

export async function findKey(store: Store, name: string, profile: string): Promise<KeyRecord> {
  const key = await store.keys.byName(profile, name);
  if (key) return key;
  if (!(await store.profiles.get(profile)) && profile !== DEFAULT_PROFILE) throw profileNotFound(profile);
  throw new ApikeyError(ERROR_CODES.KEY_NOT_FOUND, `No key named "${name}" in profile "${profile}".`, {
    details: { key: name, profile },
  });
}

async function viewIn(store: Store, key: KeyRecord): Promise<KeyView> {
  const p = await store.profiles.get(key.profile);
  return toView(key, p?.activeKeyId ?? null);
}

export async function refuseDuplicate(
  store: Store,
  fingerprint: string,
  name: string,
  profile: string,
): Promise<void> {
  const existing = await store.keys.byFingerprint(fingerprint);
  if (existing) {
    throw new ApikeyError(
      ERROR_CODES.KEY_DUPLICATE,
      `This key is already stored as "${existing.name}" in profile "${existing.profile}".`,
      { details: { key: existing.name, profile: existing.profile } },
    );
  }
  if (await store.keys.byName(profile, name)) throw nameTaken(name, profile);
}
