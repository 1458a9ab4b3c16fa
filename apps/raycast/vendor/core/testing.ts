// Vendored from packages/core/src/testing.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
// Tests only (a guard test keeps every app and package source off it): the public entry plus the session and the
// use cases behind openApikey, so a test can build a store's state directly and check one rule at a time.

export { type ActiveKey, type ResolveOptions, resolveActiveKey } from "./active/active-key.ts";
export { meteringFor } from "./app/metering.ts";
export * from "./bundle/index.ts";
export * from "./crypto/index.ts";
export * from "./hot.ts";
export * from "./import-sources/index.ts";
export * from "./index.ts";
export * from "./kek/index.ts";
export * from "./master-key/index.ts";
export * from "./oauth/index.ts";
export * from "./property-seed.ts";
export * from "./references/index.ts";
export * from "./rekey/index.ts";
export * from "./rotation/index.ts";
export * from "./scan/index.ts";
export * from "./store.ts";
export * from "./test-keys.ts";
export { exportCheapBundle, readCheapBundle } from "./testing/cheap-bundle.ts";
export { cheapPassphraseSource, TEST_SCRYPT } from "./testing/cheap-passphrase.ts";
export { selfSignedCertificate } from "./testing/self-signed.ts";
export * from "./tokens/index.ts";
export * from "./usage/index.ts";
export * from "./vault/names.ts";
export type { MasterKeySession, PreparedWrite, Session } from "./vault/session.ts";
export { Vault, type VaultOptions } from "./vault/vault.ts";
