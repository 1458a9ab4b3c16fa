export type { StoreDriver } from "./drivers/types.ts";
export { isForeignKeyViolation, isUniqueViolation, sqliteErrorCode, toStoreError } from "./errors.ts";
export { type OpenStoreOptions, openStore } from "./open.ts";
