// Vendored from packages/core/src/index.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
export { type Config, ENV_VARIABLES, type EnvVariable, loadConfig } from "./config.ts";
export * from "./domain.ts";
export { ApikeyError, ERROR_CODES, type ErrorCode, type ErrorDetails, isApikeyError } from "./errors.ts";
export { describeKekProvider, type PassphrasePrompt } from "./kek/index.ts";
export { isRecognisedKey, maskKey, type RecognisedKey, recogniseKey } from "./key-format.ts";
export { KEYFILE_WARNING } from "./master-key/sources.ts";
export { dataDirFrom, KEY_FILE, STORE_FILE, storeFileIn } from "./paths.ts";
export type {
  AuditRepository,
  DeactivationRepository,
  KeyPatch,
  KeyRepository,
  MarkRepository,
  OAuthProviderRepository,
  ProfileRepository,
  SettingsRepository,
  SlotRepository,
  Store,
  StoreSecretRepository,
} from "./store.ts";
export type { UsageEvent, UsageRepository } from "./usage/port.ts";
export type { ReportedKeyTotal, ReportedUsageRepository, ReportedUsageRow } from "./usage-sync/port.ts";
export { type ValidateOptions, type Validator, validateKey } from "./validate/anthropic.ts";
export { assertSafeBaseUrl, baseUrlRefusal } from "./validate/base-url.ts";
export { classifyFailure, type ValidationResult } from "./validate/classify.ts";
export { isLoopbackHost } from "./validate/loopback-host.ts";
export {
  type AddKeyInput,
  type AddKeyResult,
  type StatusReport,
  Vault,
  type VaultOptions,
} from "./vault/vault.ts";
export type { KeyView } from "./vault/views.ts";
