import { checkNewPassphrase, MIN_PASSPHRASE_LENGTH } from "../kek/passphrase.ts";

// What a bundle is called and what protects it: the part of the file format a front needs before any bundle is read
// or written (to check a passphrase as it is typed), kept apart from the code that parses bundles (file-format.ts,
// which loads zod) so the fronts' start-up does not load that (issue 25).

export const BUNDLE_FORMAT = "apikey-bundle";
/** The version this code writes. Readers for every version up to it live in payload.ts. */
export const BUNDLE_VERSION = 2;
/** The same rule as the store's own passphrase (kek/passphrase.ts). */
export const MIN_EXPORT_PASSPHRASE = MIN_PASSPHRASE_LENGTH;

/** A passphrase good enough to protect every key in a file that may be copied anywhere. */
export function checkExportPassphrase(passphrase: string): void {
  checkNewPassphrase(passphrase, "bundle");
}
