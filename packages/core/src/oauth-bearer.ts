import type { KeyKind } from "./domain.ts";

// How an OAuth access token goes on an API request — an operator OAuth key's, or one minted for a federated key:
// `Authorization: Bearer` plus `anthropic-beta: oauth-2025-04-20`, merged with any beta the caller already sent. The
// API refuses such a token as x-api-key or without the beta. Written once for the validator, the instrumented client
// and the gateway. A token scoped to a workspace (an imported `user_oauth` login's) also names it in
// `anthropic-workspace-id`, as the official SDK does on every request of such a profile
// (@anthropic-ai/sdk 1.14 lib/credentials/credential-chain.js; for oidc_federation it goes in the exchange instead).

export const OAUTH_API_BETA = "oauth-2025-04-20";

/** True for kinds whose secret on the wire is an OAuth access token. */
export function isOAuthTokenKind(kind: KeyKind): boolean {
  return kind === "oauth" || kind === "federated";
}

/** The `anthropic-beta` value with the OAuth beta added (once), keeping what the caller sent. */
export function withOAuthBeta(current: string | null | undefined): string {
  const list = (current ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return list.includes(OAUTH_API_BETA) ? list.join(",") : [...list, OAUTH_API_BETA].join(",");
}

/** The header the official SDK sends a `user_oauth` profile's workspace_id in. */
export const WORKSPACE_HEADER = "anthropic-workspace-id";

/** The workspace header an OAuth token of this key goes with: none for other kinds or an unscoped token. */
export function workspaceHeader(key: {
  kind: KeyKind;
  workspace?: string | null | undefined;
}): Record<string, string> {
  return isOAuthTokenKind(key.kind) && key.workspace ? { [WORKSPACE_HEADER]: key.workspace } : {};
}
