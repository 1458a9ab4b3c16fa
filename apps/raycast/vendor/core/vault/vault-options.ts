// Vendored from packages/core/src/vault/vault-options.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { Config } from "../config.ts";
import type { MasterKeySource } from "../master-key/source.ts";
import type { Store } from "../store.ts";
import type { Validator } from "../validate/anthropic.ts";

// What a front gives the Vault (vault.ts) to open a session.

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
