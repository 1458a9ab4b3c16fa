import type * as oauth from "oauth4webapi";
import { httpFetch } from "../net/http-fetch.ts";

// Anthropic's token endpoint (`/v1/oauth/token`, where an imported `user_oauth` profile refreshes) is sent JSON, the
// way the official SDK sends it: @anthropic-ai/sdk 1.14 lib/credentials/user-oauth.js posts
// `{grant_type: "refresh_token", refresh_token, client_id}` with `Content-Type: application/json` and
// `anthropic-beta: oauth-2025-04-20` (and never the federation beta, lib/credentials/types.js). oauth4webapi builds
// the RFC 6749 form-encoded request; this hook re-encodes the same fields as JSON, so everything else — the response
// checks, the errors — stays oauth4webapi's.

type RequestInit = oauth.CustomFetchOptions<string, unknown>;

export function anthropicJsonTokenRequest(url: string, init: RequestInit): Promise<Response> {
  const { body } = init;
  if (!(body instanceof URLSearchParams)) return httpFetch(url, init as globalThis.RequestInit);
  const headers: Record<string, string> = { "content-type": "application/json" };
  // Any other spelling of content-type oauth4webapi used would otherwise be sent beside ours.
  for (const [name, value] of Object.entries(init.headers))
    if (name.toLowerCase() !== "content-type") headers[name] = value;
  return httpFetch(url, { ...init, headers, body: JSON.stringify(Object.fromEntries(body)) });
}
