import { randomUUID } from "node:crypto";
import type { Config } from "../config.ts";
import {
  decryptSecret,
  encryptSecret,
  fingerprintSecret,
  generateDek,
  SEAL_VERSION,
  wrapDek,
} from "../crypto/index.ts";
import {
  DEFAULT_PROFILE,
  type KekProviderName,
  type KeyRecord,
  type KeySource,
  type KeyStatus,
  type MasterKeySlot,
} from "../domain.ts";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { maskKey, recogniseKey } from "../key-format.ts";
import type { MasterKeySource } from "../master-key/source.ts";
import { keyFileSource, masterKeySource, passphraseSource } from "../master-key/sources.ts";
import { createMasterKey, openDataKey } from "../master-key/unlock.ts";
import type { Store } from "../store.ts";
import { type Validator, validateKey } from "../validate/anthropic.ts";
import { STORABLE, type ValidationResult } from "../validate/classify.ts";
import { checkName } from "./names.ts";
import { newKeyRecord } from "./new-key.ts";
import { resealFields, upgradeSeals } from "./seal.ts";
import { type KeyView, toView } from "./views.ts";

export interface VaultOptions {
  store: Store;
  config: Config;
  /** `cli:<user>@<host>`, `slack:<user id>`, `raycast:<user>` */
  actor: string;
  front: "cli" | "slack" | "raycast" | "api";
  /**
   * The master keys this front can offer, tried against the store's slots (see master-key/). Default: what the
   * config holds (APIKEY_MASTER_KEY, APIKEY_PASSPHRASE) and the key file; no keychain, no prompt.
   */
  masterKeys?: readonly MasterKeySource[];
  /** Injected in tests; defaults to the real Anthropic check. */
  validator?: Validator;
  now?: () => Date;
  /** Told about things the person should know (e.g. a weak KEK was chosen). */
  onWarning?: (message: string) => void;
}

export interface AddKeyInput {
  name: string;
  secret: string;
  profile?: string;
  source?: KeySource;
  validate?: boolean;
  organization?: string | null;
}

export interface AddKeyResult {
  key: KeyView;
  validation: ValidationResult | null;
}

/** From `prepareWrite`: call `commit(tx)` first inside the write's transaction, `discard()` if it fails. */
export interface PreparedWrite {
  dek: Buffer;
  commit(tx: Store): Promise<void>;
  discard(): void;
}

export interface StatusReport {
  location: string;
  initialised: boolean;
  /** The kind of the store's first master-key slot. */
  kekProvider: KekProviderName | null;
  slots: Array<{ name: string; kind: KekProviderName; createdAt: string; lastUsedAt: string | null }>;
  keyCount: number;
  profiles: Array<{ name: string; activeKey: string | null; keyCount: number }>;
  envKeyPresent: boolean;
}

/**
 * The key lifecycle, front-neutral. Every mutation runs in one store transaction and writes one audit entry.
 * The data key is unlocked lazily, once per Vault, and only by operations that touch secrets.
 */
export class Vault {
  readonly #o: VaultOptions;
  #dek: Buffer | undefined;
  #slot: MasterKeySlot | undefined;

  readonly #masterKeys: readonly MasterKeySource[];

  constructor(options: VaultOptions) {
    this.#o = options;
    this.#masterKeys = options.masterKeys ?? [
      masterKeySource(options.config.masterKey),
      passphraseSource({ passphrase: options.config.passphrase }),
      keyFileSource(options.config.dataDir),
    ];
  }

  get store(): Store {
    return this.#o.store;
  }

  get config(): Config {
    return this.#o.config;
  }

  /** Feature modules (rotation, bundles, OAuth, usage) build on these instead of reaching into the Vault. */
  now(): Date {
    return this.#o.now?.() ?? new Date();
  }

  #now(): Date {
    return this.now();
  }

  /** Appends an audit entry inside the caller's transaction, with this Vault's actor and front. */
  auditIn(
    tx: Store,
    action: string,
    keyId: string | null,
    profile: string | null,
    details: Record<string, unknown>,
  ) {
    return this.#audit(tx, action, keyId, profile, details);
  }

  /** Checks a secret against the Anthropic API with this Vault's validator and settings. */
  validateSecret(secret: string, kind: KeyRecord["kind"]): Promise<ValidationResult> {
    return this.#validate(secret, kind);
  }

  warn(message: string): void {
    this.#o.onWarning?.(message);
  }

  /** The master-key slot that opened the store (after unlock). */
  openedSlot(): MasterKeySlot {
    if (!this.#slot) throw new ApikeyError(ERROR_CODES.INTERNAL, "The store is not unlocked yet.");
    return this.#slot;
  }

  /** Forgets the cached data key (after a re-key, say), so the next unlock reads the store again. */
  lock(): void {
    this.#dek = undefined;
    this.#slot = undefined;
  }

  /** The master-key sources this Vault was opened with, for modules that add or replace slots. */
  get masterKeys(): readonly MasterKeySource[] {
    return this.#masterKeys;
  }

  async status(): Promise<StatusReport> {
    const { store, config } = this.#o;
    const [meta, keys, profiles, slots] = await Promise.all([
      store.getMeta(),
      store.keys.list(),
      store.profiles.list(),
      store.slots.list(),
    ]);
    const live = keys.filter((k) => k.status !== "rotated");
    return {
      location: store.location,
      initialised: meta !== null,
      kekProvider: slots[0]?.kind ?? null,
      slots: slots.map((s) => ({
        name: s.name,
        kind: s.kind,
        createdAt: s.createdAt.toISOString(),
        lastUsedAt: s.lastUsedAt?.toISOString() ?? null,
      })),
      keyCount: live.length,
      profiles: profiles.map((p) => ({
        name: p.name,
        activeKey: keys.find((k) => k.id === p.activeKeyId)?.name ?? null,
        keyCount: live.filter((k) => k.profile === p.name).length,
      })),
      envKeyPresent: config.envApiKey !== undefined,
    };
  }

  /** The data key of an initialised store. The first unlock also re-seals rows written before seal version 2. */
  async unlock(): Promise<Buffer> {
    if (this.#dek) return this.#dek;
    const { dek, slot } = await openDataKey(this.#o.store, this.#masterKeys, this.#now());
    this.#slot = slot;
    const resealed = await upgradeSeals(this.#o.store, dek);
    if (resealed > 0) {
      await this.#o.store.transaction((tx) =>
        this.#audit(tx, "store.reseal", null, null, { keys: resealed }),
      );
    }
    this.#dek = dek;
    return dek;
  }

  /**
   * The data key for a write that adds secrets. A new store gets its key here, but nothing is written until `commit` runs inside
   * the write's own transaction, so a failed first write (say, an invalid key) leaves no store behind.
   */
  async prepareWrite(): Promise<PreparedWrite> {
    if ((await this.#o.store.getMeta()) !== null) {
      return { dek: await this.unlock(), commit: async () => {}, discard: () => {} };
    }
    const made = await createMasterKey(this.#masterKeys);
    const dek = generateDek();
    const wrapped = wrapDek(made.kek, dek);
    return {
      dek,
      commit: async (tx) => {
        if (await tx.getMeta()) {
          throw new ApikeyError(
            ERROR_CODES.STORE_BUSY,
            "Another process created this store at the same moment.",
            {
              hint: "Run the command again.",
            },
          );
        }
        const now = this.#now();
        await tx.setMeta({ createdAt: now, updatedAt: now });
        const slot = {
          id: randomUUID(),
          name: made.kind,
          kind: made.kind,
          params: made.params,
          wrappedDek: wrapped.ciphertext,
          dekNonce: wrapped.nonce,
          createdAt: now,
          lastUsedAt: now,
        };
        await tx.slots.insert(slot);
        this.#slot = slot;
        await this.#ensureProfile(tx, DEFAULT_PROFILE);
        await this.#audit(tx, "store.init", null, null, { kekProvider: made.kind });
        this.#dek = dek;
        if (made.warning) this.#o.onWarning?.(made.warning);
      },
      discard: () => made.discard?.(),
    };
  }

  async list(filter: { profile?: string } = {}): Promise<KeyView[]> {
    const { store, config } = this.#o;
    const [keys, profiles] = await Promise.all([store.keys.list(filter), store.profiles.list()]);
    const active = new Set(profiles.map((p) => p.activeKeyId).filter((id): id is string => id !== null));
    const views = keys.map((k) => toView(k, active.has(k.id) ? k.id : null));
    if (config.envApiKey && filter.profile === undefined) views.push(envKeyView(config.envApiKey));
    return views;
  }

  async get(name: string, profile = DEFAULT_PROFILE): Promise<KeyView> {
    const key = await this.#find(this.#o.store, name, profile);
    const p = await this.#o.store.profiles.get(profile);
    return toView(key, p?.activeKeyId ?? null);
  }

  async add(input: AddKeyInput): Promise<AddKeyResult> {
    const profile = input.profile ?? DEFAULT_PROFILE;
    const name = checkName(input.name, "key");
    const { kind, secret } = recogniseKey(input.secret);
    const writer = await this.prepareWrite();
    try {
      return await this.#insertNew(writer, { ...input, name, profile, kind, secret });
    } catch (err) {
      writer.discard();
      throw err;
    }
  }

  async #insertNew(
    writer: { dek: Buffer; commit(tx: Store): Promise<void> },
    input: AddKeyInput & { profile: string; kind: KeyRecord["kind"] },
  ): Promise<AddKeyResult> {
    const { name, profile, kind, secret } = input;
    const fingerprint = fingerprintSecret(writer.dek, secret);
    await this.#refuseDuplicate(this.#o.store, fingerprint, name, profile);

    // Validate before the transaction: a slow network must not hold the write lock.
    const validation = input.validate === false ? null : await this.#validate(secret, kind);
    if (validation && !STORABLE.has(validation.outcome)) {
      throw new ApikeyError(ERROR_CODES.KEY_INVALID, validation.message, {
        hint: "Nothing was stored. Check you copied the whole key, or create a new one in the Anthropic Console.",
      });
    }

    const now = this.#now();
    const id = randomUUID();
    const sealed = encryptSecret(writer.dek, { id, profile, name, kind }, secret);
    const record = newKeyRecord({
      seal: SEAL_VERSION,
      id,
      name,
      profile,
      kind,
      source: input.source ?? "manual",
      organization: input.organization ?? null,
      ciphertext: sealed.ciphertext,
      nonce: sealed.nonce,
      hint: maskKey(secret),
      fingerprint,
      createdAt: now,
      lastValidatedAt: validation ? now : null,
      validation: validation?.outcome ?? null,
      validationMessage: validation?.message ?? null,
    });
    let becameActive = false;
    await this.#o.store.transaction(async (tx) => {
      await writer.commit(tx);
      await this.#refuseDuplicate(tx, fingerprint, name, profile);
      const p = await this.#ensureProfile(tx, profile);
      await tx.keys.insert(record);
      // The first key of a profile becomes its active key: the obvious thing after `apikey add`.
      if (p.activeKeyId === null) {
        await tx.profiles.setActiveKey(profile, id);
        becameActive = true;
      }
      await this.#audit(tx, "key.add", id, profile, {
        name,
        kind,
        source: record.source,
        validation: record.validation,
        activated: becameActive,
      });
    });
    return { key: toView(record, becameActive ? id : null), validation };
  }

  async addFromEnv(
    name: string,
    options: { profile?: string; validate?: boolean } = {},
  ): Promise<AddKeyResult> {
    const secret = this.#o.config.envApiKey;
    if (!secret) {
      throw new ApikeyError(ERROR_CODES.KEY_EMPTY, "ANTHROPIC_API_KEY is not set in this environment.", {
        hint: "Export it first, or add the key from a prompt or stdin instead.",
      });
    }
    return this.add({ name, secret, source: "env", ...options });
  }

  /** The secret itself. Audited, because every reveal is a chance for it to leak. */
  async reveal(name: string, profile = DEFAULT_PROFILE, reason = "reveal"): Promise<string> {
    const key = await this.#find(this.#o.store, name, profile);
    const dek = await this.unlock();
    const secret = decryptSecret(dek, key);
    await this.#o.store.transaction((tx) => this.#audit(tx, "key.reveal", key.id, profile, { name, reason }));
    return secret;
  }

  /** The profile's active key and its secret, for `current`, `env`, `exec` and clients. */
  async activeSecret(profile = DEFAULT_PROFILE): Promise<{ key: KeyView; secret: string }> {
    const { store } = this.#o;
    const p = await store.profiles.get(profile);
    if (!p && profile !== DEFAULT_PROFILE) throw profileNotFound(profile);
    const key = p?.activeKeyId ? await store.keys.byId(p.activeKeyId) : null;
    if (!key) {
      throw new ApikeyError(ERROR_CODES.NO_ACTIVE_KEY, `Profile "${profile}" has no active key.`, {
        hint: this.#o.config.envApiKey
          ? "ANTHROPIC_API_KEY is set here: import it with `apikey add NAME --from-env`, or `apikey use NAME`."
          : "Add one with `apikey add NAME`, or pick one with `apikey use NAME`.",
      });
    }
    if (key.profile !== profile) throw pointerCorrupt(profile);
    if (key.status !== "active") throw notUsable(key);
    const dek = await this.unlock();
    const secret = decryptSecret(dek, key);
    const now = this.#now();
    await store.keys.update(key.id, { lastUsedAt: now });
    return { key: toView({ ...key, lastUsedAt: now }, key.id), secret };
  }

  async use(name: string, profile = DEFAULT_PROFILE): Promise<KeyView> {
    return this.#o.store.transaction(async (tx) => {
      const key = await this.#find(tx, name, profile);
      if (key.status !== "active") throw notUsable(key);
      await tx.profiles.setActiveKey(profile, key.id);
      await this.#audit(tx, "key.use", key.id, profile, { name });
      return toView(key, key.id);
    });
  }

  async rename(name: string, newName: string, profile = DEFAULT_PROFILE): Promise<KeyView> {
    checkName(newName, "key");
    // The secret is sealed to the name, so a rename re-seals it in the same transaction.
    const dek = await this.unlock();
    return this.#o.store.transaction(async (tx) => {
      const key = await this.#find(tx, name, profile);
      if (name === newName) return this.#viewIn(tx, key);
      if (await tx.keys.byName(profile, newName)) throw nameTaken(newName, profile);
      await tx.keys.update(key.id, {
        ...resealFields(dek, key, { ...key, name: newName }),
        name: newName,
        updatedAt: this.#now(),
      });
      await this.#audit(tx, "key.rename", key.id, profile, { from: name, to: newName });
      return this.#viewIn(tx, { ...key, name: newName });
    });
  }

  disable(name: string, profile = DEFAULT_PROFILE): Promise<KeyView> {
    return this.#setStatus(name, profile, "disabled");
  }

  enable(name: string, profile = DEFAULT_PROFILE): Promise<KeyView> {
    return this.#setStatus(name, profile, "active");
  }

  async delete(name: string, profile = DEFAULT_PROFILE): Promise<KeyView> {
    return this.#o.store.transaction(async (tx) => {
      const key = await this.#find(tx, name, profile);
      const view = await this.#viewIn(tx, key);
      // The profile's pointer is cleared by the foreign key (ON DELETE SET NULL); done explicitly too so the
      // behaviour does not hang on a pragma.
      if (view.active) await tx.profiles.setActiveKey(profile, null);
      await tx.keys.delete(key.id);
      await this.#audit(tx, "key.delete", key.id, profile, { name, wasActive: view.active });
      return view;
    });
  }

  async validate(
    name: string,
    profile = DEFAULT_PROFILE,
  ): Promise<{ key: KeyView; validation: ValidationResult }> {
    const key = await this.#find(this.#o.store, name, profile);
    const dek = await this.unlock();
    const secret = decryptSecret(dek, key);
    const validation = await this.#validate(secret, key.kind);
    const now = this.#now();
    return this.#o.store.transaction(async (tx) => {
      await tx.keys.update(key.id, {
        lastValidatedAt: now,
        validation: validation.outcome,
        validationMessage: validation.message,
        updatedAt: now,
      });
      await this.#audit(tx, "key.validate", key.id, profile, { name, outcome: validation.outcome });
      const view = await this.#viewIn(tx, {
        ...key,
        validation: validation.outcome,
        validationMessage: validation.message,
        lastValidatedAt: now,
      });
      return { key: view, validation };
    });
  }

  async createProfile(name: string): Promise<void> {
    checkName(name, "profile");
    await this.#o.store.transaction(async (tx) => {
      if (await tx.profiles.get(name)) {
        throw new ApikeyError(ERROR_CODES.PROFILE_EXISTS, `Profile "${name}" already exists.`, {
          hint: "Pick another name, or use it with --profile.",
        });
      }
      await tx.profiles.create({ name, activeKeyId: null, createdAt: this.#now() });
      await this.#audit(tx, "profile.create", null, name, { name });
    });
  }

  async listProfiles(): Promise<StatusReport["profiles"]> {
    return (await this.status()).profiles;
  }

  async deleteProfile(name: string): Promise<void> {
    await this.#o.store.transaction(async (tx) => {
      if (name === DEFAULT_PROFILE) {
        throw new ApikeyError(ERROR_CODES.USAGE, "The default profile cannot be deleted.");
      }
      if (!(await tx.profiles.get(name))) throw profileNotFound(name);
      const keys = await tx.keys.list({ profile: name });
      if (keys.length > 0) {
        throw new ApikeyError(
          ERROR_CODES.PROFILE_IN_USE,
          `Profile "${name}" still holds ${keys.length} key(s).`,
          {
            hint: `Delete them first (apikey --profile ${name} delete NAME).`,
          },
        );
      }
      await tx.profiles.delete(name);
      await this.#audit(tx, "profile.delete", null, name, { name });
    });
  }

  audit(filter: { limit?: number; keyId?: string; since?: Date } = {}) {
    return this.#o.store.audit.list(filter);
  }

  async #setStatus(name: string, profile: string, status: KeyStatus): Promise<KeyView> {
    return this.#o.store.transaction(async (tx) => {
      const key = await this.#find(tx, name, profile);
      if (key.status === status) return this.#viewIn(tx, key);
      await tx.keys.update(key.id, { status, updatedAt: this.#now() });
      await this.#audit(tx, status === "active" ? "key.enable" : "key.disable", key.id, profile, { name });
      return this.#viewIn(tx, { ...key, status });
    });
  }

  async #validate(secret: string, kind: KeyRecord["kind"]): Promise<ValidationResult> {
    const { config } = this.#o;
    const validator =
      this.#o.validator ??
      ((s, k) =>
        validateKey(s, k, {
          baseURL: config.anthropicBaseUrl,
          timeoutMs: config.validateTimeoutMs,
          allowInsecureBaseUrl: config.allowInsecureBaseUrl,
        }));
    return validator(secret, kind);
  }

  async #find(store: Store, name: string, profile: string): Promise<KeyRecord> {
    const key = await store.keys.byName(profile, name);
    if (key) return key;
    if (!(await store.profiles.get(profile)) && profile !== DEFAULT_PROFILE) throw profileNotFound(profile);
    throw new ApikeyError(ERROR_CODES.KEY_NOT_FOUND, `No key named "${name}" in profile "${profile}".`, {
      hint: "See your keys with `apikey list`.",
    });
  }

  async #viewIn(store: Store, key: KeyRecord): Promise<KeyView> {
    const p = await store.profiles.get(key.profile);
    return toView(key, p?.activeKeyId ?? null);
  }

  async #refuseDuplicate(store: Store, fingerprint: string, name: string, profile: string): Promise<void> {
    const existing = await store.keys.byFingerprint(fingerprint);
    if (existing) {
      throw new ApikeyError(
        ERROR_CODES.KEY_DUPLICATE,
        `This key is already stored as "${existing.name}" in profile "${existing.profile}".`,
        { hint: `Use it with \`apikey --profile ${existing.profile} use ${existing.name}\`.` },
      );
    }
    if (await store.keys.byName(profile, name)) throw nameTaken(name, profile);
  }

  async #ensureProfile(tx: Store, name: string) {
    const existing = await tx.profiles.get(name);
    if (existing) return existing;
    if (name !== DEFAULT_PROFILE) throw profileNotFound(name);
    const created = { name, activeKeyId: null, createdAt: this.#now() };
    await tx.profiles.create(created);
    return created;
  }

  #audit(
    tx: Store,
    action: string,
    keyId: string | null,
    profile: string | null,
    details: Record<string, unknown>,
  ) {
    return tx.audit.append({
      at: this.#now(),
      actor: this.#o.actor,
      front: this.#o.front,
      action,
      keyId,
      profile,
      details,
    });
  }
}

function envKeyView(secret: string): KeyView {
  let kind: KeyView["kind"] = "api";
  try {
    kind = recogniseKey(secret).kind;
  } catch {
    // Listed anyway, so the person sees it is set; `add --from-env` will explain what is wrong with it.
  }
  return {
    id: "env",
    name: "env",
    profile: "(environment)",
    kind,
    source: "env",
    status: "active",
    active: false,
    masked: maskKey(secret.trim()),
    organization: null,
    createdAt: new Date(0).toISOString(),
    lastUsedAt: null,
    lastValidatedAt: null,
    validation: null,
    validationMessage: null,
    readOnly: true,
  };
}

function profileNotFound(profile: string): ApikeyError {
  return new ApikeyError(ERROR_CODES.PROFILE_NOT_FOUND, `No profile named "${profile}".`, {
    hint: `Create it with \`apikey profile create ${profile}\`, or see \`apikey profile list\`.`,
  });
}

/** A profile's active pointer names a key of another profile: only an edit outside apikey does that. */
function pointerCorrupt(profile: string): ApikeyError {
  return new ApikeyError(
    ERROR_CODES.STORE_CORRUPT,
    `Profile "${profile}" points at a key of another profile.`,
    { details: { profile } },
  );
}

function nameTaken(name: string, profile: string): ApikeyError {
  return new ApikeyError(
    ERROR_CODES.NAME_TAKEN,
    `A key named "${name}" already exists in profile "${profile}".`,
    {
      hint: "Pick another name, or rename the existing key.",
    },
  );
}

function notUsable(key: KeyRecord): ApikeyError {
  return new ApikeyError(ERROR_CODES.KEY_DISABLED, `Key "${key.name}" is ${key.status}.`, {
    hint:
      key.status === "disabled"
        ? `Enable it with \`apikey enable ${key.name}\`.`
        : "Use its successor instead.",
  });
}
