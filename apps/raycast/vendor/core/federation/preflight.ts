// Vendored from packages/core/src/federation/preflight.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { randomUUID } from "node:crypto";
import type { Config } from "../config.ts";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { validateKey } from "../validate/anthropic.ts";
import { STORABLE, type ValidationResult } from "../validate/classify.ts";
import { federationBaseUrl } from "./mint.ts";
import { checkFederationInput, type FederationInput, type FederationSettings } from "./settings.ts";
import { tokenFor } from "./use.ts";

// Everything `add --federated` checks before the store is opened, so a bad flag or a rule that rejects the identity
// token leaves no trace — not even a new store: the settings' shape, then (unless told not to) one exchange and a
// GET /v1/models with the minted token.

export interface FederatedPreflight {
  settings: FederationSettings;
  validation: ValidationResult | null;
}

export async function preflightFederated(
  config: Config,
  input: FederationInput,
  validate: boolean,
): Promise<FederatedPreflight> {
  const settings = checkFederationInput(input);
  if (!validate) return { settings, validation: null };
  const token = await tokenFor({ config }, `new:${randomUUID()}`, settings);
  const validation = await validateKey(token, "federated", {
    baseURL: federationBaseUrl(settings, config.anthropicBaseUrl),
    timeoutMs: config.validateTimeoutMs,
    allowInsecureBaseUrl: config.allowInsecureBaseUrl,
  });
  if (!STORABLE.has(validation.outcome))
    throw new ApikeyError(ERROR_CODES.KEY_INVALID, validation.message, {
      hint: "Nothing was stored. The exchange worked but the API refused the token: check the rule's workspace.",
    });
  return { settings, validation };
}
