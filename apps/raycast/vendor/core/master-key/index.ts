// Vendored from packages/core/src/master-key/index.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
export { type AddSlotResult, addSlot, listSlots, removeSlot, type SlotView } from "./slots.ts";
export type { MasterKeySource, NewMasterKey } from "./source.ts";
export {
  generatedMasterKey,
  KEYFILE_WARNING,
  keyFileSource,
  masterKeySource,
  type PassphraseOptions,
  passphraseSource,
} from "./sources.ts";
export { createMasterKey, type OpenedDataKey, openDataKey } from "./unlock.ts";
