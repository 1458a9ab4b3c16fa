// @apikey/core's one public entry: `openApikey` (the app every front and app goes through) and its types, the
// errors, and the pure helpers a front needs to read input and render (no Store, no data key). The other entries
// are lean or for other packages: ./errors and ./paths (import-free, for the hot path and storage), ./hot (the
// `apikey current` hot path), ./store (the port storage implements) and ./testing (tests only).

export { needsRefresh } from "./active/active-key.ts";
export { type Apikey, type Front, type OpenApikeyOptions, openApikey, totalsOf } from "./app/apikey.ts";
export type { Metering } from "./app/metering.ts";
export {
  checkExportPassphrase,
  type ExportOptions,
  type ImportBundleOptions,
  type ImportProgress,
  type ImportReport,
  readBundle,
} from "./bundle/index.ts";
export {
  apiKeyVariables,
  childEnvironment,
  type KeyVariables,
  type RenewableIdentityToken,
  STORE_UNLOCKING_VARIABLES,
} from "./child-env.ts";
export { type Config, ENV_VARIABLES, type EnvVariable, loadConfig } from "./config.ts";
export * from "./domain.ts";
export { ApikeyError, ERROR_CODES, type ErrorCode, type ErrorDetails, isApikeyError } from "./errors.ts";
// Writing output and running children safely.
export { CONTROL_CHARACTERS, escapeChar, escapeControl } from "./escape-control.ts";
export {
  type AnthropicProfile,
  anthropicConfigDir,
  readAnthropicProfile,
  type UserOAuthProfile,
} from "./federation/anthropic-profiles.ts";
export { jwtExpiry, nextIdentityRenewal, RENEW_MIN_MS } from "./federation/identity-renewal.ts";
export { type FederatedPreflight, preflightFederated } from "./federation/preflight.ts";
export type { FederationInput, FederationSettings } from "./federation/settings.ts";
export { IMPORT_SOURCES, type ImportSource, type SourceScan, scanSource } from "./import-sources/index.ts";
// Master keys a front can offer, and how it describes them.
export { describeKekProvider, keyFilePath, type PassphrasePrompt } from "./kek/index.ts";
export { tightenKeyFile } from "./kek/key-file.ts";
// Reading input: key shapes, names, references, files that may hold keys, amounts and durations.
export { isRecognisedKey, maskKey, type RecognisedKey, recogniseKey } from "./key-format.ts";
export type { MasterKeySource, NewMasterKey } from "./master-key/source.ts";
export {
  generatedMasterKey,
  KEYFILE_WARNING,
  keyFileSource,
  masterKeySource,
  type PassphraseOptions,
  passphraseSource,
} from "./master-key/sources.ts";
export type { LoginResult } from "./oauth/login.ts";
export { isOAuthTokenKind, OAUTH_API_BETA, withOAuthBeta } from "./oauth-bearer.ts";
export {
  DATABASE_URL_VARIABLE,
  dataDirFrom,
  KEY_FILE,
  STORE_FILE,
  type StoreLocation,
  storeFileIn,
  storeLocationFrom,
} from "./paths.ts";
export { findReferences, isReferenceLike, REFERENCE_SCHEME } from "./references/index.ts";
export type { RekeyInput, RekeyResult } from "./rekey/rekey.ts";
// What the use cases answer, for rendering.
export { type DeactivationOutcome, NO_ADMIN_KEY_REASON } from "./rotation/deactivate.ts";
export { parseGrace } from "./rotation/grace.ts";
export type { RotateInput, RotateResult } from "./rotation/rotate.ts";
export {
  createKeyStreamScanner,
  type FoundKey,
  findKeysInText,
  holdsKeyLikeText,
  type KeyStreamScanner,
  redactKeyLike,
} from "./scan/index.ts";
export { type CreateTokenInput, DEFAULT_TOKEN_NAME, type TokenView } from "./tokens/admin.ts";
export type { TokenHasher } from "./tokens/hash.ts";
export { modelAllowed, parseExpiry } from "./tokens/policy.ts";
export type { GatewayTokenRecord } from "./tokens/port.ts";
export { budgetState, toBudgetStatus } from "./usage/budget.ts";
// Metering fronts (the gateway, the instrumented SDK client): they take `app.metering`, never a Store.
export { type AnthropicClientOptions, createAnthropicClient } from "./usage/client.ts";
export { type Counts, countsOf } from "./usage/counts.ts";
export {
  createUsageExtractor,
  type ExtractedUsage,
  type ExtractorOptions,
  firstChunkMayEndStream,
  usageFromJson,
} from "./usage/extract.ts";
export { type Hold, type Reservations, reservations } from "./usage/holds.ts";
// Where gateways journal usage (the journal and its fold: @apikey/core/usage-journal).
export { journalDirIn } from "./usage/journal/names.ts";
export type { MonthSpendFields } from "./usage/list-spend.ts";
export { formatUsd, formatUsdColumn, parseUsd, usdOrNull } from "./usage/money.ts";
export type { UsageEvent, UsageGroupBy, UsageWindow } from "./usage/port.ts";
export { lastUsedMemory, recordEventsMany, toEvent, type UsageInput } from "./usage/record.ts";
export type { UsageReport, UsageReportOptions } from "./usage/report.ts";
export { monthWindow, parseSince, type ReportWindow } from "./usage/window.ts";
export { boundFromBody, type RequestBound, worstCaseCost } from "./usage/worst-case.ts";
// Usage as Anthropic reports it (issue 24): the findings `app.usage.findings()` returns, and one sentence for each.
export {
  describeFinding,
  FINDING_KINDS,
  type Finding,
  type FindingKey,
  type FindingKind,
  type FindingsOptions,
  type FindingsReport,
  type GatewayOnlyResult,
  type ReportedOverBudget,
  STALE_SYNC_MS,
  type UnknownOrgKey,
  type UsedAfterRetired,
  type UsedOutsideGateway,
} from "./usage-sync/findings/index.ts";
export type { RecordedSide, ReportedSide, SideBySideRow } from "./usage-sync/side-by-side.ts";
export {
  notRecordedUsd,
  type ReportedSubject,
  type SideBySideTotals,
  shownTokens,
  sideBySideTotals,
  subjectOf,
} from "./usage-sync/side-by-side-view.ts";
export { type ValidateOptions, type Validator, validateKey } from "./validate/anthropic.ts";
export { assertSafeBaseUrl, baseUrlRefusal } from "./validate/base-url.ts";
export { classifyFailure, type ValidationResult } from "./validate/classify.ts";
export { isLoopbackHost } from "./validate/loopback-host.ts";
export { checkNameShape } from "./vault/names.ts";
export type { AddKeyInput, AddKeyResult, StatusReport } from "./vault/vault.ts";
export type { KeyView } from "./vault/views.ts";
// The views the fronts render (key listing, usage report, rotation outcome…), so no front redeclares them.
export type * from "./views/index.ts";
