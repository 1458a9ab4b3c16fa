export { DEK_AAD, open, type Sealed, seal, secretAad } from "./aead.ts";
export {
  decryptSecret,
  encryptSecret,
  fingerprintSecret,
  generateDek,
  unwrapDek,
  wrapDek,
} from "./envelope.ts";
