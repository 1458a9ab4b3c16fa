// Vendored from packages/core/src/bundle/index.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
// Encrypted export/import bundles: the front-neutral API the fronts call. Other tools' files: @apikey/core/import-sources.

export { type ExportOptions, type ExportResult, exportBundle } from "./export.ts";
export {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  checkExportPassphrase,
  MIN_EXPORT_PASSPHRASE,
} from "./file-format.ts";
export { type ImportBundleOptions, importBundle, readBundle } from "./import.ts";
export type { BundleContent, BundleKey, BundleProfile } from "./payload.ts";
export type { ImportBatch, IncomingKey, SkippedKey, SkipReason } from "./plan.ts";
export type { ImportOptions, ImportProgress, ImportReport } from "./run-import.ts";
