// Vendored from packages/storage/src/missing-store.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { ApikeyError } from "../core/errors.ts";

/**
 * What an open does where there is no store yet:
 * - "create": build one (only for what adds a key or a provider: the one way a store comes into being);
 * - "empty": answer as an empty store, creating nothing (reads: list, status, current…; SQLite only — a server
 *   store is refused instead);
 * - "refuse": E_NO_STORE, creating nothing (everything else).
 */
export type IfMissing = "create" | "empty" | "refuse";

/** The error for a store that is not there, where the caller may not create one. */
export function noStoreError(location: string): ApikeyError {
  return new ApikeyError("E_NO_STORE", `There is no key store at ${location} yet.`, {
    hint: "A store is created when its first key is added.",
    details: { location },
  });
}
