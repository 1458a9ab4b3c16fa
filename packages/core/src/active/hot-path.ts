// @apikey/core/hot-path — what `apikey current` needs to answer without loading the program: the one rule that
// says whether the active key may be handed out as it is, the one unlock order, the master keys that need nothing
// native, the secret's seal and the last-used rule. Every module behind it loads only node built-ins.

export { decryptSecret } from "../crypto/data-key.ts";
export type { MasterKeySource, UnlockSlot } from "../master-key/source.ts";
export { keyFileSource, masterKeySource, passphraseSource } from "../master-key/sources.ts";
export { tryUnlock } from "../master-key/unlock-order.ts";
export { dataDirFrom, storeFileIn } from "../paths.ts";
export { shouldRecordUse } from "./last-used.ts";
export { type ActiveKeyFacts, usableWithoutDecision, whyNotUsable } from "./usable.ts";
