// Vendored from packages/core/src/oauth/login.ts by scripts/vendor.mjs: do not edit here. Edit the package, then run `pnpm --filter api-key-switcher vendor`.
import { DEFAULT_PROFILE } from "../domain.ts";
import type { Session } from "../vault/session.ts";
import type { KeyView } from "../vault/views.ts";
import { buildAuthorizationRequest, checkAuthorizationResponse, parsePastedResponse } from "./authorize.ts";
import { CALLBACK_PATH, type LoopbackReceiver, startLoopback } from "./loopback.ts";
import { mintApiKey, storeMintedKey } from "./mint.ts";
import { getProvider } from "./providers.ts";
import { resolveServer } from "./server.ts";
import { saveTokens } from "./stored-tokens.ts";
import { exchangeCode } from "./tokens.ts";

// One login, front-neutral: start it, show `url` to the user however the front can, then finish it with the loopback
// redirect (`waitForRedirect`) or with what the user pasted (`finishWithPaste`). Always `close()` it.

export interface LoginOptions {
  provider: string;
  profile?: string;
  /** The key's name; defaults to the provider's name. */
  keyName?: string;
  /** "loopback" listens on 127.0.0.1; "paste" expects the user to paste what the provider shows. */
  mode: "loopback" | "paste";
  /** Minted keys only: check the new key against the Anthropic API before storing it (default true). */
  validate?: boolean;
}

export interface LoginResult {
  key: KeyView;
  provider: string;
  /** True when the provider minted an API key, false when the OAuth tokens themselves were stored. */
  minted: boolean;
  /** Tokens only: a previous login's tokens under the same name were replaced. */
  replaced: boolean;
  expiresAt: string | null;
}

export interface LoginSession {
  url: string;
  redirectUri: string;
  waitForRedirect(timeoutMs: number): Promise<LoginResult>;
  finishWithPaste(pasted: string): Promise<LoginResult>;
  close(): void;
}

export async function startLogin(vault: Session, options: LoginOptions): Promise<LoginSession> {
  const provider = await getProvider(vault, options.provider);
  const server = await resolveServer(provider, { fresh: true });
  // Paste mode registers a loopback address too, with nobody listening: the browser then shows an error page
  // whose address holds the code, which the user copies — so one client registration serves both ways back.
  const receiver: LoopbackReceiver | null = options.mode === "loopback" ? await startLoopback() : null;
  const redirectUri =
    receiver?.redirectUri ?? `http://127.0.0.1:${1024 + Math.floor(Math.random() * 64000)}${CALLBACK_PATH}`;
  const request = await buildAuthorizationRequest(server, redirectUri, provider.scopes);
  receiver?.expectState(request.pending.state);
  const profile = options.profile ?? DEFAULT_PROFILE;
  const name = options.keyName ?? provider.name;

  const finish = async (received: URLSearchParams, origin: "redirect" | "paste"): Promise<LoginResult> => {
    const callback = checkAuthorizationResponse(server, received, request.pending, origin);
    const tokens = await exchangeCode(server, callback, request.pending, vault.now());
    if (provider.keyMintingUrl) {
      const secret = await mintApiKey(provider.keyMintingUrl, tokens.accessToken);
      const added = await storeMintedKey(vault, {
        name,
        profile,
        secret,
        validate: options.validate !== false,
      });
      return { key: added.key, provider: provider.name, minted: true, replaced: false, expiresAt: null };
    }
    const saved = await saveTokens(vault, { name, profile, provider: provider.name, tokens });
    return {
      key: saved.key,
      provider: provider.name,
      minted: false,
      replaced: saved.replaced,
      expiresAt: tokens.expiresAt?.toISOString() ?? null,
    };
  };

  return {
    url: request.url,
    redirectUri,
    waitForRedirect: async (timeoutMs) => {
      if (!receiver) throw new Error("waitForRedirect needs a loopback login");
      return finish(await receiver.wait(timeoutMs), "redirect");
    },
    finishWithPaste: (pasted) => finish(parsePastedResponse(pasted), "paste"),
    close: () => receiver?.close(),
  };
}
