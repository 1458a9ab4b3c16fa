// Vendored from packages/core/src/crypto/index.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
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
