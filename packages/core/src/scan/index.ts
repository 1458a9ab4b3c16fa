export { type FoundKey, findKeysInText, mayHoldKey } from "./find-keys.ts";
