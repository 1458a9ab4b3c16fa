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
