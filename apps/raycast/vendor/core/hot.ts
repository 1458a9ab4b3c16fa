// Vendored from packages/core/src/hot.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
// The `apikey current` hot path's entry: only import-light modules (node built-ins and each other), so the CLI's
// first bundle stays small. kek/unlock-fast.ts, crypto/aead.ts, active/last-used.ts and paths.ts keep that promise.

export { shouldRecordUse } from "./active/last-used.ts";
export { open, SEAL_VERSION, secretAad } from "./crypto/aead.ts";
export { type FastSlot, unlockDataKeyFast } from "./kek/unlock-fast.ts";
export { dataDirFrom, type StoreLocation, storeFileIn, storeLocationFrom } from "./paths.ts";
