// Vendored from packages/core/src/scan/index.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
export { type FoundKey, findKeysInText, mayHoldKey } from "./find-keys.ts";
export { createKeyStreamScanner, type KeyStreamScanner } from "./key-stream.ts";
export { holdsKeyLikeText, normaliseForKeySearch, startsLikeKey } from "./loose-keys.ts";
export { redactKeyLike } from "./redact-keys.ts";
