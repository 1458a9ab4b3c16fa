export { type PresentedCredential, presentedCredential } from "./auth.ts";
export { BUDGET_WARNING_HEADER } from "./forward.ts";
export {
  DEFAULT_GATEWAY_PORT,
  DEFAULT_UPSTREAM,
  type Gateway,
  type GatewayOptions,
  startGateway,
} from "./gateway.ts";
export { checkListenHost, isLoopbackHost } from "./hosts.ts";
export { createUsageTap, type TappedUsage, type UsageTap, usageFromJsonBody } from "./usage-tap.ts";
