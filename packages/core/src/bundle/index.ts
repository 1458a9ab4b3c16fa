// Encrypted export/import bundles: the front-neutral API the fronts call. Other tools' files: @apikey/core/import-sources.
// Reading and writing a bundle loads its code (and zod, which checks a bundle's fields) when a bundle is read or
// written, not on every start of a front that only lists keys (issue 25): the three calls below import it then.

import type { Session } from "../vault/session.ts";
import type { ExportOptions, ExportResult } from "./export.ts";
import type { ImportBundleOptions } from "./import.ts";
import type { BundleContent } from "./payload.ts";
import type { ImportReport } from "./run-import.ts";

export type { ExportOptions, ExportResult } from "./export.ts";
export type { ImportBundleOptions } from "./import.ts";
export type { BundleContent, BundleKey, BundleProfile } from "./payload.ts";
export type { ImportBatch, IncomingKey, SkippedKey, SkipReason } from "./plan.ts";
export { BUNDLE_FORMAT, BUNDLE_VERSION, checkExportPassphrase, MIN_EXPORT_PASSPHRASE } from "./rules.ts";
export type { ImportOptions, ImportProgress, ImportReport } from "./run-import.ts";

/** See export.ts. */
export async function exportBundle(vault: Session, options: ExportOptions): Promise<ExportResult> {
  return (await import("./export.ts")).exportBundle(vault, options);
}

/** See import.ts. */
export async function importBundle(vault: Session, options: ImportBundleOptions): Promise<ImportReport> {
  return (await import("./import.ts")).importBundle(vault, options);
}

/** See import.ts. */
export async function readBundle(text: string, passphrase: string): Promise<BundleContent> {
  return (await import("./import.ts")).readBundle(text, passphrase);
}
