// Moving the store to another master key (re-wrapping the data key). Slots: @apikey/core/master-key.
export { type RekeyInput, type RekeyResult, rekeyStore } from "./rekey.ts";
