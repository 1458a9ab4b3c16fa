// Vendored from packages/core/src/federation/use.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import type { Session } from "../vault/session.ts";
import { federationVariables, sdkReadsSource } from "./child-variables.ts";
import { identityTokenReader } from "./identity-token.ts";
import { federatedToken } from "./mint.ts";
import { decodeSettings, type FederationSettings } from "./settings.ts";

// The bridge between a session and the minting: a federated row's decrypted settings in, a fresh token out, with
// the session's ANTHROPIC_BASE_URL and environment. Loaded only when a federated key is used.

export function federatedSecret(
  s: Pick<Session, "config">,
  keyId: string,
  decrypted: string,
): Promise<string> {
  return tokenFor(s, keyId, decodeSettings(decrypted));
}

export function tokenFor(
  s: Pick<Session, "config">,
  keyId: string,
  settings: FederationSettings,
): Promise<string> {
  return federatedToken(keyId, settings, {
    baseUrl: s.config.anthropicBaseUrl,
    readVariable: s.config.variable ?? (() => undefined),
    ...(s.config.childEnvironment && { childEnv: s.config.childEnvironment }),
  });
}

/** What `validate` checks for a federated key: an exchange, then GET /v1/models with the minted token. */
export async function validateFederated(
  s: Pick<Session, "config" | "validateSecret">,
  keyId: string,
  decrypted: string,
) {
  return s.validateSecret(await federatedSecret(s, keyId, decrypted), "federated");
}

/** The token for the active key, and what a child gets instead of it (child-variables.ts). */
export async function federatedUse(s: Pick<Session, "config">, keyId: string, decrypted: string) {
  const settings = decodeSettings(decrypted);
  const token = await tokenFor(s, keyId, settings);
  const read = s.config.variable ?? (() => undefined);
  const { set, drop, secret } = federationVariables(settings, read);
  // The minted token is masked too: a child that prints its own request headers must not show it.
  const secrets = secret ? [token, secret] : [token];
  if (sdkReadsSource(settings)) return { token, variables: { set, drop, secrets } };
  // The SDK cannot run a command or ask GitHub itself: the child gets a file apikey renews (the front writes it).
  const renew = identityTokenReader(settings.identityToken, read, Date.now, {
    ...(s.config.childEnvironment && { childEnv: s.config.childEnvironment }),
  });
  const current = await renew();
  return {
    token,
    variables: { set, drop, secrets: [...secrets, current], identityToken: { current, renew } },
  };
}
