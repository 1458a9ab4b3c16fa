export { GatewayAuthError, type PresentedCredential, presentedCredential, tokenChecker } from "./auth.ts";
export { isLoopbackHost } from "./hosts.ts";
export {
  BUDGET_WARNING_HEADER,
  DEFAULT_GATEWAY_PORT,
  DEFAULT_UPSTREAM,
  type Gateway,
  type GatewayOptions,
  startGateway,
} from "./server.ts";
export {
  ensureGatewayToken,
  GATEWAY_TOKEN_PREFIX,
  generateGatewayToken,
  readGatewayToken,
  rotateGatewayToken,
} from "./token.ts";
export { createUsageTap, type TappedUsage, type UsageTap, usageFromJsonBody } from "./usage-tap.ts";
