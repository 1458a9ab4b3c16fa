// Vendored from packages/core/src/import-sources/index.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
export type { Naming, SourceScan } from "./candidates.ts";
export { scanDotenv } from "./dotenv.ts";
export {
  IMPORT_SOURCES,
  type ImportFromSourceOptions,
  type ImportSource,
  importFromSource,
  importScanned,
  scanSource,
} from "./import-from-source.ts";
export { opencodeAuthPath, scanOpencodeAuth } from "./opencode.ts";
