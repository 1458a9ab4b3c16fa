import type { ReadVariable } from "./identity-token.ts";
import type { FederationSettings } from "./settings.ts";

// What a child process (`apikey exec`) or a shell (`apikey env`) gets for a federated key: the variables the official
// SDKs read to make the exchange themselves (`ANTHROPIC_FEDERATION_RULE_ID`, `ANTHROPIC_ORGANIZATION_ID`, the
// identity token's file…), not a minted token. A minted token lives minutes and the SDK only adds the OAuth beta the
// API requires when it minted the token itself; with these variables a long-running child renews on the SDK's
// schedule and re-reads a rotating token file, and no token sits in its environment.

/** Variables that would make the SDK pick another credential, or another federation, over these. */
export const FEDERATION_REPLACES = [
  "ANTHROPIC_API_KEY",
  "ANTHROPIC_AUTH_TOKEN",
  "ANTHROPIC_PROFILE",
  "ANTHROPIC_FEDERATION_RULE_ID",
  "ANTHROPIC_ORGANIZATION_ID",
  "ANTHROPIC_SERVICE_ACCOUNT_ID",
  "ANTHROPIC_WORKSPACE_ID",
  "ANTHROPIC_IDENTITY_TOKEN",
  "ANTHROPIC_IDENTITY_TOKEN_FILE",
] as const;

export interface FederationVariables {
  set: Record<string, string>;
  drop: readonly string[];
  /** The identity token's value when it is passed on (env source): output of the child is masked for it. */
  secret: string | null;
}

/** Whether the SDK can read the source itself (a file, a variable); the others need apikey to renew a file. */
export const sdkReadsSource = (settings: FederationSettings) =>
  settings.identityToken.source === "file" || settings.identityToken.source === "env";

/**
 * For a command or GitHub Actions source nothing here carries the identity token: a variable would expire inside a
 * long-running child, so the front writes it to a file it renews (KeyVariables.identityToken).
 */
export function federationVariables(
  settings: FederationSettings,
  readVariable: ReadVariable,
): FederationVariables {
  const set: Record<string, string> = {
    ANTHROPIC_FEDERATION_RULE_ID: settings.ruleId,
    ANTHROPIC_ORGANIZATION_ID: settings.organizationId,
  };
  if (settings.serviceAccountId) set.ANTHROPIC_SERVICE_ACCOUNT_ID = settings.serviceAccountId;
  if (settings.workspaceId) set.ANTHROPIC_WORKSPACE_ID = settings.workspaceId;
  if (settings.baseUrl) set.ANTHROPIC_BASE_URL = settings.baseUrl;
  let secret: string | null = null;
  if (settings.identityToken.source === "file")
    set.ANTHROPIC_IDENTITY_TOKEN_FILE = settings.identityToken.path;
  else if (settings.identityToken.source === "env") {
    // The SDK reads only ANTHROPIC_IDENTITY_TOKEN; the child already inherits the variable it is copied from.
    secret = readVariable(settings.identityToken.name)?.trim() || null;
    if (secret) set.ANTHROPIC_IDENTITY_TOKEN = secret;
  }
  return { set, drop: FEDERATION_REPLACES, secret };
}
