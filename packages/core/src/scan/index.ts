export { type FoundKey, findKeysInText, mayHoldKey } from "./find-keys.ts";
export { holdsKeyLikeText, normaliseForKeySearch } from "./loose-keys.ts";
