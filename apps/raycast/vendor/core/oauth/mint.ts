// Vendored from packages/core/src/oauth/mint.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { z } from "zod";
import { ApikeyError, ERROR_CODES } from "../errors.ts";
import { httpFetch } from "../net/http-fetch.ts";
import { type AddKeyResult, addKey } from "../vault/keys.ts";
import type { Session } from "../vault/session.ts";
import { checkEndpoint, configError } from "./endpoints.ts";
import { toOAuthError } from "./failures.ts";

// Key minting: where the provider offers it, the access token is exchanged for an ordinary API key, which is stored
// (source "oauth") and the tokens are dropped. The endpoint contract apikey expects:
//   POST <keyMintingUrl>   Authorization: Bearer <access token>   (empty body)
//   200 application/json   {"api_key": "sk-ant-api03-…"}
const MINT_TIMEOUT_MS = 15_000;
const MintResponse = z.object({ api_key: z.string().min(1) });

export async function mintApiKey(url: string, accessToken: string): Promise<string> {
  const target = checkEndpoint(url, "key-minting URL");
  let res: Response;
  try {
    res = await httpFetch(target, {
      method: "POST",
      headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
      // A redirect would carry the token to wherever it points.
      redirect: "error",
      signal: AbortSignal.timeout(MINT_TIMEOUT_MS),
    });
  } catch (err) {
    throw toOAuthError(err, "minting");
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new ApikeyError(ERROR_CODES.OAUTH_CONFIG, `The key-minting endpoint answered HTTP ${res.status}.`, {
      hint: "Check the provider's key-minting URL and that its scopes allow minting keys.",
    });
  }
  const parsed = MintResponse.safeParse(await res.json().catch(() => null));
  if (!parsed.success) throw configError('The key-minting endpoint did not answer {"api_key": "…"}.');
  return parsed.data.api_key;
}

/** Stores a minted key like `apikey add` (recognised, validated unless told not to, de-duplicated, audited). */
export function storeMintedKey(
  vault: Session,
  input: { name: string; profile: string; secret: string; validate: boolean },
): Promise<AddKeyResult> {
  return addKey(vault, { ...input, source: "oauth" });
}
