// Vendored from packages/core/src/testing/cheap-passphrase.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { ScryptParams } from "../domain.ts";
import { checkNewPassphrase, derivePassphraseKek, newScryptParams } from "../kek/passphrase.ts";
import type { MasterKeySource } from "../master-key/source.ts";
import { passphraseSource } from "../master-key/sources.ts";

// Tests whose subject is not scrypt's cost open passphrase stores many times; at the shipped N=2^17 (128 MiB) each
// unlock costs a second or more on a loaded 2-core machine. A store made with this source records N=2^10, the
// lowest that checkScryptParams accepts (below it a store is called damaged), so the built CLI opens it through its
// real unlock path, only faster. Nothing shipped can make such a store: this module is reachable only from
// @apikey/core/testing, which a guard (tests/e2e/public-imports.test.ts) keeps out of shipped source, and no
// environment variable or flag lowers DEFAULT_SCRYPT.

/** The cost tests record: the floor of what an existing store may hold, far below what apikey writes. */
export const TEST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 } as const;

/** A passphrase source whose new slots use TEST_SCRYPT; opening is the shipped passphrase source's own code. */
export function cheapPassphraseSource(passphrase: string): MasterKeySource {
  const shipped = passphraseSource({ passphrase });
  return {
    kind: shipped.kind,
    open: (slot) => shipped.open(slot),
    async create() {
      checkNewPassphrase(passphrase);
      const params: ScryptParams = { ...newScryptParams(), ...TEST_SCRYPT };
      return { kind: "passphrase", kek: await derivePassphraseKek(passphrase, params), params };
    },
  };
}
