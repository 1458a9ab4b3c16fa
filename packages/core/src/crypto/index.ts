export {
  DEK_AAD,
  open,
  refreshAad,
  SEAL_VERSION,
  type Sealed,
  type SealIdentity,
  seal,
  secretAad,
} from "./aead.ts";
export {
  decryptSecret,
  encryptSecret,
  fingerprintSecret,
  generateDek,
  unwrapDek,
  wrapDek,
} from "./data-key.ts";
