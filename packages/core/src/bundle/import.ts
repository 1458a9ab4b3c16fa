import { DEFAULT_SCRYPT } from "../kek/passphrase.ts";
import type { Session } from "../vault/session.ts";
import { type BundleCost, openEnvelopeAt } from "./file-format.ts";
import { type BundleContent, canRead, decodePayload } from "./payload.ts";
import { type ImportOptions, type ImportReport, runImport } from "./run-import.ts";

/**
 * Opens and checks a bundle without touching any store: E_BUNDLE_CORRUPT, E_BUNDLE_FORMAT, E_BUNDLE_VERSION or
 * E_BUNDLE_PASSPHRASE when it cannot be used. Fronts call this before opening the store, so a bad file leaves
 * no trace at all.
 */
export function readBundle(text: string, passphrase: string): Promise<BundleContent> {
  return readBundleAt(text, passphrase, DEFAULT_SCRYPT);
}

/** readBundle accepting a KDF down to `floor`; not on the bundle entry, only @apikey/core/testing passes one. */
export async function readBundleAt(
  text: string,
  passphrase: string,
  floor: BundleCost,
): Promise<BundleContent> {
  const { version, plaintext } = await openEnvelopeAt(text, passphrase, canRead, floor);
  try {
    return decodePayload(version, plaintext);
  } finally {
    plaintext.fill(0);
  }
}

export interface ImportBundleOptions extends ImportOptions {
  /** The file's text and its passphrase, or content already read with `readBundle`. */
  bundle: { text: string; passphrase: string } | BundleContent;
}

/**
 * Imports a bundle all or nothing: keys already stored (same secret) are skipped and reported by name; a key whose
 * name is taken in its profile by another key is skipped and reported (rename one and import again); missing
 * profiles are created. Keys keep their metadata and source. Audited as `store.import`.
 */
export async function importBundle(vault: Session, options: ImportBundleOptions): Promise<ImportReport> {
  const content =
    "text" in options.bundle
      ? await readBundle(options.bundle.text, options.bundle.passphrase)
      : options.bundle;
  const batch = {
    keys: content.keys.map((k) => ({ ...k, naming: "exact" as const })),
    profiles: content.profiles,
  };
  return runImport(vault, "bundle", batch, [], { ...options, validate: false });
}
