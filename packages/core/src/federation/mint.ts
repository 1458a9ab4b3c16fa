import type { TokenCache } from "@anthropic-ai/sdk/lib/credentials/token-cache";
import { ApikeyError, ERROR_CODES, isApikeyError } from "../errors.ts";
import { httpFetch } from "../net/http-fetch.ts";
import { identityTokenReader, type ReadVariable } from "./identity-token.ts";
import { checkTokenEndpoint, encodeSettings, type FederationSettings } from "./settings.ts";

// A federated key's access token: exchanged by the official SDK (its oidcFederationProvider: the jwt-bearer grant,
// both betas, the secure-endpoint rule) and kept by its TokenCache (refresh 120 s before expiry in the background,
// 30 s before expiry blocking). Minted tokens live in this process's memory only, never in the store: a process that
// asks again (the gateway, a long `exec`) gets the cached token until the SDK's schedule renews it; a new process
// (each `apikey current`) makes one exchange. The SDK is loaded only when a federated key is used.

export const DEFAULT_API_URL = "https://api.anthropic.com";

export interface MintOptions {
  /** ANTHROPIC_BASE_URL, when the settings name no host. */
  baseUrl: string | undefined;
  readVariable: ReadVariable;
  /** The environment an identity token command runs with. */
  childEnv?: () => Record<string, string>;
  fetch?: typeof fetch;
}

const caches = new Map<string, TokenCache>();

/** The API host a federated key exchanges at and is used against. */
export function federationBaseUrl(settings: FederationSettings, fallback: string | undefined): string {
  return checkTokenEndpoint(settings.baseUrl ?? fallback ?? DEFAULT_API_URL);
}

/** A fresh access token for the key (`sk-ant-oat01-…`), from this process's cache or a new exchange. */
export async function federatedToken(
  keyId: string,
  settings: FederationSettings,
  options: MintOptions,
): Promise<string> {
  const baseURL = federationBaseUrl(settings, options.baseUrl);
  const cacheKey = `${keyId}\n${encodeSettings(settings)}\n${baseURL}`;
  let cache = caches.get(cacheKey);
  if (!cache) {
    const [{ oidcFederationProvider }, { TokenCache }] = await Promise.all([
      import("@anthropic-ai/sdk/lib/credentials/oidc-federation"),
      import("@anthropic-ai/sdk/lib/credentials/token-cache"),
    ]);
    const provider = oidcFederationProvider({
      identityTokenProvider: identityTokenReader(settings.identityToken, options.readVariable, Date.now, {
        ...(options.childEnv && { childEnv: options.childEnv }),
      }),
      federationRuleId: settings.ruleId,
      organizationId: settings.organizationId,
      serviceAccountId: settings.serviceAccountId ?? undefined,
      workspaceId: settings.workspaceId ?? undefined,
      baseURL,
      fetch: options.fetch ?? httpFetch,
      userAgent: "apikey (oidcFederationProvider)",
    });
    // A failed background refresh keeps the still-valid token; the blocking one reports. Nothing is logged.
    cache = new TokenCache(provider, () => {});
    caches.set(cacheKey, cache);
  }
  try {
    return await cache.getToken();
  } catch (err) {
    throw federationError(err, settings);
  }
}

/** Forgets this process's token for the key (after the API refused it, or the key changed). */
export function forgetFederatedToken(keyId: string): void {
  for (const k of caches.keys()) if (k.startsWith(`${keyId}\n`)) caches.delete(k);
}

/** The SDK's WorkloadIdentityError as a coded error. Its message is not reused: ours say what to do, and only that. */
export function federationError(err: unknown, settings: FederationSettings): ApikeyError {
  if (isApikeyError(err)) return err;
  const status = (err as { statusCode?: unknown }).statusCode;
  const requestId = (err as { requestId?: unknown }).requestId;
  const ref = typeof requestId === "string" ? ` (request-id ${requestId})` : "";
  const details = { rule: settings.ruleId, ...(typeof status === "number" && { status }) };
  if (status === 401) {
    const workspace =
      settings.workspaceId === null
        ? " If the rule covers more than one workspace, give the key a workspace (a wrkspc_… id, or default)."
        : "";
    return new ApikeyError(
      ERROR_CODES.FEDERATION_REJECTED,
      `Anthropic refused the identity token under rule ${settings.ruleId}${ref}.`,
      {
        hint: `Ensure the federation rule matches the identity token (issuer, subject) and is still enabled.${workspace} The Workload identity page of the Claude Console lists the authentication events.`,
        details,
        cause: err,
      },
    );
  }
  const message = err instanceof Error ? err.message : "";
  if (message.startsWith("Refusing to send credential"))
    return new ApikeyError(
      ERROR_CODES.FEDERATION_FAILED,
      "Refusing to send an identity token over plain http.",
      {
        hint: "Use the https:// URL of the API.",
        details: { ...details, reason: "insecure_endpoint" },
      },
    );
  const what = typeof status === "number" ? `answered HTTP ${status}${ref}` : "could not be reached";
  return new ApikeyError(ERROR_CODES.FEDERATION_FAILED, `The token endpoint ${what}.`, {
    hint: "Try again; check ANTHROPIC_BASE_URL or the key's base URL if it persists.",
    details: { ...details, reason: typeof status === "number" ? "refused" : "unreachable" },
    cause: err,
  });
}
