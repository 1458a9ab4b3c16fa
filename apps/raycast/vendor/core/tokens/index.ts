// Vendored from packages/core/src/tokens/index.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
// Gateway tokens per person or app (issue 10).
export {
  adoptLegacyToken,
  type CreateTokenInput,
  createToken,
  DEFAULT_TOKEN_NAME,
  LEGACY_TOKEN_SECRET,
  listTokens,
  revokeToken,
  rotateToken,
  type TokenView,
  toTokenView,
} from "./admin.ts";
export { GATEWAY_TOKEN_PREFIX, generateGatewayToken, type TokenHasher, tokenHasher } from "./hash.ts";
export { modelAllowed, parseExpiry, parseModels, type TokenRefusal, tokenRefusal } from "./policy.ts";
export type { GatewayTokenPatch, GatewayTokenRecord, GatewayTokenRepository } from "./port.ts";
