// Vendored from packages/core/src/oauth/index.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
// @apikey/core/oauth — standards OAuth 2.0 (authorization code + PKCE S256) for providers the operator registers.

// The active-key path lives in active/; re-exported here where OAuth callers have always found it.
export { freshActiveSecret } from "../active/active-key.ts";
export { needsRefresh } from "../active/usable.ts";
export { buildAuthorizationRequest, checkAuthorizationResponse, parsePastedResponse } from "./authorize.ts";
export { checkEndpoint, isLoopbackHttp } from "./endpoints.ts";
export { type LoginOptions, type LoginResult, type LoginSession, startLogin } from "./login.ts";
export { type LoopbackReceiver, startLoopback } from "./loopback.ts";
export { mintApiKey } from "./mint.ts";
export { addProvider, getProvider, listProviders, type ProviderInput, removeProvider } from "./providers.ts";
export { ensureFreshToken, type RefreshOutcome } from "./refresh.ts";
export { discover, type ResolvedServer, resolveServer } from "./server.ts";
export { REFRESH_MARGIN_MS } from "./stored-tokens.ts";
export { exchangeCode, type PendingAuthorization, refreshTokens, type TokenSet } from "./tokens.ts";
