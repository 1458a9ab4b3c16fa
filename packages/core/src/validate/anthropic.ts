import type { KeyKind } from "../domain.ts";
import { httpFetch } from "../net/http-fetch.ts";
import { isOAuthTokenKind, OAUTH_API_BETA, workspaceHeader } from "../oauth-bearer.ts";
import { assertSafeBaseUrl } from "./base-url.ts";
import { type ApiFailure, classifyFailure, type ValidationResult } from "./classify.ts";

export interface ValidateOptions {
  baseURL?: string | undefined;
  timeoutMs: number;
  /** Send the key over plain http to a non-loopback host (APIKEY_ALLOW_INSECURE_BASE_URL). Default: refuse. */
  allowInsecureBaseUrl?: boolean;
  /** The workspace an OAuth token is scoped to (oauth-bearer.ts); sent with it as the SDK would. */
  workspace?: string | null | undefined;
}

export type Validator = (
  secret: string,
  kind: KeyKind,
  scope?: { workspace: string | null },
) => Promise<ValidationResult>;

/**
 * Checks a key with a request that spends no tokens: GET /v1/models for API keys and OAuth tokens,
 * GET /v1/organizations/api_keys for Admin keys (which cannot call the model endpoints).
 * The SDK is imported lazily: it is large, and most commands never validate.
 * Throws E_USAGE, before anything is sent, when the base URL would carry the key in clear to another host.
 */
export async function validateKey(
  secret: string,
  kind: KeyKind,
  opts: ValidateOptions,
): Promise<ValidationResult> {
  assertSafeBaseUrl(opts.baseURL, opts.allowInsecureBaseUrl === true);
  const {
    default: Anthropic,
    APIError,
    APIConnectionError,
    APIConnectionTimeoutError,
  } = await import("@anthropic-ai/sdk");
  const client = new Anthropic({
    ...(isOAuthTokenKind(kind)
      ? {
          apiKey: null,
          authToken: secret,
          defaultHeaders: {
            "anthropic-beta": OAUTH_API_BETA,
            ...workspaceHeader({ kind, workspace: opts.workspace }),
          },
        }
      : { apiKey: secret, authToken: null }),
    baseURL: opts.baseURL ?? null,
    timeout: opts.timeoutMs,
    // One clear answer is better than a long wait on an outage; the person can run validate again.
    maxRetries: 0,
    fetch: httpFetch,
  });
  try {
    if (kind === "admin") await client.get("/v1/organizations/api_keys", { query: { limit: 1 } });
    else await client.models.list({ limit: 1 });
    return { outcome: "valid", message: "The key is valid.", status: 200 };
  } catch (err) {
    let failure: ApiFailure;
    if (err instanceof APIConnectionTimeoutError) failure = { network: "timeout" };
    else if (err instanceof APIConnectionError) failure = { network: "connection" };
    else if (err instanceof APIError) {
      failure = {
        status: err.status,
        errorType: err.type ?? undefined,
        retryAfter: err.headers?.get("retry-after"),
        requestId: err.requestID,
      };
    } else throw err;
    return classifyFailure(failure);
  }
}
