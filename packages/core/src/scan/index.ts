export { type FoundKey, findKeysInText, mayHoldKey } from "./find-keys.ts";
export { createKeyStreamScanner, type KeyStreamScanner } from "./key-stream.ts";
export { holdsKeyLikeText, normaliseForKeySearch, startsLikeKey } from "./loose-keys.ts";
export { redactKeyLike } from "./redact-keys.ts";
