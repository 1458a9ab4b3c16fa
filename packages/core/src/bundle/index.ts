// Encrypted export/import and moving in from other tools: the front-neutral API the CLI, Slack bot and Raycast call.
export {
  IMPORT_SOURCES,
  type ImportFromSourceOptions,
  type ImportSource,
  importFromSource,
  importScanned,
  opencodeAuthPath,
  type SourceScan,
  scanDotenv,
  scanOpencodeAuth,
  scanSource,
} from "../import-sources/index.ts";
export {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  checkExportPassphrase,
  MIN_EXPORT_PASSPHRASE,
} from "./envelope.ts";
export { type ExportOptions, type ExportResult, exportBundle } from "./export.ts";
export { type ImportBundleOptions, importBundle, readBundle } from "./import.ts";
export type { BundleContent, BundleKey, BundleProfile } from "./payload.ts";
export type { ImportBatch, IncomingKey, SkippedKey, SkipReason } from "./plan.ts";
export type { ImportOptions, ImportProgress, ImportReport } from "./run-import.ts";
