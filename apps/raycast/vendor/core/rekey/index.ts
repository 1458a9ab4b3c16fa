// Vendored from packages/core/src/rekey/index.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
// Moving the store to another master key (re-wrapping the data key). Slots: @apikey/core/master-key.
export { type RekeyInput, type RekeyResult, rekeyStore } from "./rekey.ts";
