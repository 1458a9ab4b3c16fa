import type { Config } from "../config.ts";
import type { KeyRecord, MasterKeySlot } from "../domain.ts";
import type { MasterKeySource } from "../master-key/source.ts";
import type { Store } from "../store.ts";
import type { ValidationResult } from "../validate/classify.ts";

/** From `prepareWrite`: call `commit(tx)` first inside the write's transaction, `discard()` if it fails. */
export interface PreparedWrite {
  dek: Buffer;
  commit(tx: Store): Promise<void>;
  discard(): void;
}

/**
 * What a use case needs from an open store session (the Vault): the store, settings, the clock, the audit trail,
 * validation and the data key. Use cases take this narrow view, not the whole Vault.
 */
export interface Session {
  readonly store: Store;
  readonly config: Config;
  now(): Date;
  /** Appends an audit entry inside the caller's transaction, with the session's actor and front. */
  auditIn(
    tx: Store,
    action: string,
    keyId: string | null,
    profile: string | null,
    details: Record<string, unknown>,
  ): Promise<void>;
  /** `scope`: the stored key's workspace, when it has one (sent with an OAuth token). */
  validateSecret(
    secret: string,
    kind: KeyRecord["kind"],
    scope?: { workspace: string | null },
  ): Promise<ValidationResult>;
  unlock(): Promise<Buffer>;
  prepareWrite(): Promise<PreparedWrite>;
  /** Tells the person something they should know (a weak master key was chosen, leftovers after a re-key). */
  warn(message: string): void;
}

/** A session that can also change how the store is opened (master-key slots, re-keying). */
export interface MasterKeySession extends Session {
  readonly masterKeys: readonly MasterKeySource[];
  /** The slot that opened the store (after unlock). */
  openedSlot(): MasterKeySlot;
  /** Forgets the cached data key, so the next unlock reads the store again. */
  lock(): void;
}
