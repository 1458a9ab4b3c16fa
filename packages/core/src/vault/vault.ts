import { randomUUID } from "node:crypto";
import { resolveActiveKey } from "../active/active-key.ts";
import type { Config } from "../config.ts";
import { generateDek, wrapDek } from "../crypto/index.ts";
import { DEFAULT_PROFILE, type KeyRecord, type MasterKeySlot } from "../domain.ts";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import type { MasterKeySource } from "../master-key/source.ts";
import { keyFileSource, masterKeySource, passphraseSource } from "../master-key/sources.ts";
import { createMasterKey, damageWithoutSlots, openDataKey } from "../master-key/unlock.ts";
import type { Store } from "../store.ts";
import { type Validator, validateKey } from "../validate/anthropic.ts";
import type { ValidationResult } from "../validate/classify.ts";
import {
  type AddKeyInput,
  type AddKeyResult,
  addKey,
  addKeyFromEnv,
  deleteKey,
  getKey,
  listKeys,
  renameKey,
  revealKey,
  setStatus,
  useKey,
  validateStoredKey,
} from "./keys.ts";
import { createProfile, deleteProfile, ensureProfile, getProfile, listProfiles } from "./profiles.ts";
import { upgradeSeals } from "./seal.ts";
import type { PreparedWrite, Session } from "./session.ts";
import { type StatusReport, storeStatus } from "./status.ts";
import type { VaultOptions } from "./vault-options.ts";
import type { KeyView } from "./views.ts";

export type { AddKeyInput, AddKeyResult } from "./keys.ts";
export type { PreparedWrite } from "./session.ts";
export type { StatusReport } from "./status.ts";
export type { VaultOptions } from "./vault-options.ts";

/**
 * An open store session for one actor and front: the store, the clock, the audit trail, validation and the data key
 * (unlocked lazily, once, and only by operations that touch secrets). The use cases live in keys.ts, profiles.ts
 * and status.ts and take this as their narrow `Session`; the methods here are their front-facing names.
 */
export class Vault implements Session {
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
  validateSecret(
    secret: string,
    kind: KeyRecord["kind"],
    scope?: { workspace: string | null },
  ): Promise<ValidationResult> {
    return this.#validate(secret, kind, scope);
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

  status(): Promise<StatusReport> {
    return storeStatus(this);
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
    // No meta row: a new store, unless slots or keys say one was created here and lost its meta (damage).
    const damage = await damageWithoutSlots(this.#o.store);
    if (damage) throw damage;
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
              details: { reason: "created_concurrently" },
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
        await ensureProfile(this, tx, DEFAULT_PROFILE);
        await this.#audit(tx, "store.init", null, null, { kekProvider: made.kind });
        this.#dek = dek;
        if (made.warning) this.#o.onWarning?.(made.warning);
      },
      discard: () => made.discard?.(),
    };
  }

  list(filter: { profile?: string } = {}): Promise<KeyView[]> {
    return listKeys(this, filter);
  }

  get(name: string, profile = DEFAULT_PROFILE): Promise<KeyView> {
    return getKey(this, name, profile);
  }

  add(input: AddKeyInput): Promise<AddKeyResult> {
    return addKey(this, input);
  }

  addFromEnv(name: string, options: { profile?: string; validate?: boolean } = {}): Promise<AddKeyResult> {
    return addKeyFromEnv(this, name, options);
  }

  /** The secret itself. Audited, because every reveal is a chance for it to leak. */
  /** The secret itself. Audited, because every reveal is a chance for it to leak. */
  reveal(name: string, profile = DEFAULT_PROFILE, reason = "reveal"): Promise<string> {
    return revealKey(this, name, profile, reason);
  }

  /** The profile's active key and its secret (the one active-key path: see active/active-key.ts). */
  async activeSecret(profile = DEFAULT_PROFILE): Promise<{ key: KeyView; secret: string }> {
    const { key, secret } = await resolveActiveKey(this, profile);
    return { key, secret };
  }

  use(name: string, profile = DEFAULT_PROFILE): Promise<KeyView> {
    return useKey(this, name, profile);
  }

  rename(name: string, newName: string, profile = DEFAULT_PROFILE): Promise<KeyView> {
    return renameKey(this, name, newName, profile);
  }

  disable(name: string, profile = DEFAULT_PROFILE): Promise<KeyView> {
    return setStatus(this, name, profile, "disabled");
  }

  enable(name: string, profile = DEFAULT_PROFILE): Promise<KeyView> {
    return setStatus(this, name, profile, "active");
  }

  delete(name: string, profile = DEFAULT_PROFILE): Promise<KeyView> {
    return deleteKey(this, name, profile);
  }

  validate(name: string, profile = DEFAULT_PROFILE): Promise<{ key: KeyView; validation: ValidationResult }> {
    return validateStoredKey(this, name, profile);
  }

  createProfile(name: string): Promise<void> {
    return createProfile(this, name);
  }

  listProfiles(): Promise<StatusReport["profiles"]> {
    return listProfiles(this);
  }

  /** Its active key's name and key count; E_PROFILE_NOT_FOUND for a name never created (but `default`). */
  getProfile(name: string): Promise<StatusReport["profiles"][number]> {
    return getProfile(this, name);
  }

  deleteProfile(name: string): Promise<void> {
    return deleteProfile(this, name);
  }

  audit(filter: { limit?: number; keyId?: string; since?: Date } = {}) {
    return this.#o.store.audit.list(filter);
  }

  async #validate(
    secret: string,
    kind: KeyRecord["kind"],
    scope?: { workspace: string | null },
  ): Promise<ValidationResult> {
    const { config } = this.#o;
    const validator: Validator =
      this.#o.validator ??
      ((s, k, sc) =>
        validateKey(s, k, {
          baseURL: config.anthropicBaseUrl,
          timeoutMs: config.validateTimeoutMs,
          allowInsecureBaseUrl: config.allowInsecureBaseUrl,
          workspace: sc?.workspace,
        }));
    return validator(secret, kind, scope);
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
