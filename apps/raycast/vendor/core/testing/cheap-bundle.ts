// Vendored from packages/core/src/testing/cheap-bundle.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { ExportOptions, ExportResult } from "../bundle/export.ts";
import { exportBundleSealedBy } from "../bundle/export.ts";
import { sealBundleAt } from "../bundle/file-format.ts";
import { readBundleAt } from "../bundle/import.ts";
import type { BundleContent } from "../bundle/payload.ts";
import type { Session } from "../vault/session.ts";
import { TEST_SCRYPT } from "./cheap-passphrase.ts";

// Export bundles, like passphrase stores, cost one scrypt at N=2^17 (128 MiB) to write and one to read. A test whose
// subject is a bundle's content (its keys, profiles, names) rather than its KDF can write it at TEST_SCRYPT through
// every other step of the real export, and read it back with the real reader, which here accepts TEST_SCRYPT.
// apikey itself cannot do either: what it writes is always DEFAULT_SCRYPT, and its reader (readBundle, `apikey
// import`) refuses anything weaker as E_BUNDLE_CORRUPT, so a cheap bundle never reaches the built CLI. This module is
// reachable only from @apikey/core/testing, which a guard (tests/e2e/public-imports.test.ts) keeps out of shipped
// source; no environment variable or flag changes either cost.

/** exportBundle, sealing at TEST_SCRYPT: the bundle only readCheapBundle opens. */
export function exportCheapBundle(vault: Session, options: ExportOptions): Promise<ExportResult> {
  return exportBundleSealedBy(vault, options, (plaintext, passphrase) =>
    sealBundleAt(plaintext, passphrase, TEST_SCRYPT),
  );
}

/** readBundle accepting a KDF down to TEST_SCRYPT (so both cheap and real bundles). */
export function readCheapBundle(text: string, passphrase: string): Promise<BundleContent> {
  return readBundleAt(text, passphrase, TEST_SCRYPT);
}
