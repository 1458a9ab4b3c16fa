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
