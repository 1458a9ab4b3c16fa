import { spawn } from "node:child_process";
import type { LoginResult, OAuthProviderRecord } from "@apikey/core";
import { childEnvironment } from "@apikey/core";
import type { Command } from "commander";
import type { Action } from "../action.ts";
import { checkKeyNameArgument } from "../io/arguments.ts";
import { UsageError } from "../io/errors.ts";
import { escapeControl } from "../io/escape.ts";
import { table } from "../io/output.ts";
import { readSecret } from "../io/secret-input.ts";

interface ProviderAddOptions {
  issuer?: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  clientId: string;
  scope?: string;
  keyMintingUrl?: string;
}

interface LoginFlags {
  name?: string;
  paste?: boolean;
  browser: boolean;
  validate: boolean;
  timeout: string;
}

export function registerOAuthCommands(program: Command, action: Action): void {
  const oauth = program.command("oauth").description("OAuth 2.0 providers you registered, and their tokens");
  const provider = oauth.command("provider").description("manage the OAuth providers apikey may log in with");

  provider
    .command("add <name>")
    .description("register a provider: --issuer URL, or --authorization-endpoint and --token-endpoint")
    .option("--issuer <url>", "the issuer; its metadata is read now (OpenID Connect or RFC 8414 discovery)")
    .option("--authorization-endpoint <url>", "the authorization endpoint, without discovery")
    .option("--token-endpoint <url>", "the token endpoint, without discovery")
    .requiredOption("--client-id <id>", "the public client id you registered with the provider")
    .option("--scope <scopes>", 'space-separated scopes, e.g. "openid offline_access"')
    .option("--key-minting-url <url>", 'exchange the access token for an API key here ({"api_key": "…"})')
    .action(
      action(async (ctx, name: string, opts: ProviderAddOptions) => {
        const record = await (await ctx.app()).oauth.addProvider({
          name,
          clientId: opts.clientId,
          ...(opts.issuer !== undefined && { issuer: opts.issuer }),
          ...(opts.authorizationEndpoint !== undefined && {
            authorizationEndpoint: opts.authorizationEndpoint,
          }),
          ...(opts.tokenEndpoint !== undefined && { tokenEndpoint: opts.tokenEndpoint }),
          ...(opts.scope !== undefined && { scopes: [opts.scope] }),
          ...(opts.keyMintingUrl !== undefined && { keyMintingUrl: opts.keyMintingUrl }),
        });
        ctx.out.result({ provider: providerJson(record) }, () => `Added OAuth provider ${record.name}.`);
      }),
    );

  provider
    .command("list")
    .alias("ls")
    .description("list the registered providers")
    .action(
      action(async (ctx) => {
        const providers = await (await ctx.app()).oauth.listProviders();
        ctx.out.result(providers.map(providerJson), () =>
          providers.length === 0
            ? "No OAuth providers. Add one with: apikey oauth provider add NAME --issuer URL --client-id ID"
            : table(
                ["NAME", "ISSUER / AUTHORIZATION ENDPOINT", "CLIENT ID", "SCOPES", "KEY MINTING"],
                providers.map((p) => [
                  p.name,
                  p.issuer ?? p.authorizationEndpoint,
                  p.clientId,
                  p.scopes.join(" ") || "-",
                  p.keyMintingUrl ? "yes" : "-",
                ]),
              ),
        );
      }),
    );

  provider
    .command("remove <name>")
    .alias("rm")
    .description("forget a provider (keys from it stay, but can no longer be refreshed)")
    .action(
      action(async (ctx, name: string) => {
        const removed = await (await ctx.app()).oauth.removeProvider(name);
        ctx.out.result({ provider: providerJson(removed) }, () => `Removed OAuth provider ${removed.name}.`);
      }),
    );

  oauth
    .command("refresh <name>")
    .description("refresh an OAuth key's access token now")
    .action(
      action(async (ctx, name: string) => {
        checkKeyNameArgument(name);
        const outcome = await (await ctx.app()).keys.refresh(name, ctx.profile);
        const expiresAt = outcome.expiresAt?.toISOString() ?? null;
        ctx.out.result(
          { key: outcome.key, refreshed: outcome.refreshed, expiresAt },
          () =>
            `Refreshed ${outcome.key.name} (${outcome.key.masked})${expiresAt ? `; valid until ${expiresAt}` : ""}.`,
        );
      }),
    );

  program
    .command("login <provider>")
    .description("log in with a registered OAuth provider and store the result as a key")
    .option("--name <keyname>", "the key's name (default: the provider's name)")
    .option("--paste", "paste the code or redirect address yourself instead of a local redirect")
    .option("--no-browser", "print the URL instead of opening a browser")
    .option("--no-validate", "minted API keys only: store without checking against the Anthropic API")
    .option("--timeout <seconds>", "how long to wait for the browser's redirect", "300")
    .action(
      action(async (ctx, providerName: string, opts: LoginFlags) => {
        // Checked before a browser opens: the login would otherwise fail only after the person approved it.
        if (opts.name !== undefined) checkKeyNameArgument(opts.name);
        const timeoutSeconds = Number(opts.timeout);
        if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 3600) {
          throw new UsageError("--timeout must be a whole number of seconds between 1 and 3600.");
        }
        const session = await (await ctx.app()).oauth.login({
          provider: providerName,
          profile: ctx.profile,
          mode: opts.paste ? "paste" : "loopback",
          validate: opts.validate,
          ...(opts.name !== undefined && { keyName: opts.name }),
        });
        try {
          showUrl(session.url, opts.browser, ctx.out.json);
          let result: LoginResult;
          if (opts.paste) {
            ctx.out.note(
              "After approving, paste the code the provider shows (code#state), or the full address your browser " +
                "was sent to.",
            );
            result = await session.finishWithPaste(await readSecret("Code or redirect address"));
          } else {
            ctx.out.note("Waiting for the browser to come back…");
            result = await session.waitForRedirect(timeoutSeconds * 1000);
          }
          ctx.out.result(result, () =>
            result.minted
              ? `Logged in with ${result.provider}; stored a new API key as ${result.key.name} (${result.key.masked}).`
              : `Logged in with ${result.provider}; stored its tokens as ${result.key.name} (${result.key.masked}).` +
                (result.key.active ? ` It is the active key of profile ${result.key.profile}.` : ""),
          );
        } finally {
          session.close();
        }
      }),
    );
}

function providerJson(p: OAuthProviderRecord) {
  return {
    name: p.name,
    issuer: p.issuer,
    authorizationEndpoint: p.authorizationEndpoint,
    tokenEndpoint: p.tokenEndpoint,
    clientId: p.clientId,
    scopes: p.scopes,
    keyMintingUrl: p.keyMintingUrl,
    createdAt: p.createdAt.toISOString(),
  };
}

/**
 * The URL always goes to stderr, as a JSON line under --json: it carries no secret (state and the PKCE challenge are
 * single-use and useless without the verifier), and the browser may not open.
 */
function showUrl(url: string, browser: boolean, json: boolean): void {
  const opened = browser && openBrowser(url);
  if (json) {
    process.stderr.write(`${JSON.stringify({ login: { url, browserOpened: opened } })}\n`);
    return;
  }
  process.stderr.write(
    // The address is built from the provider's configuration: shown escaped like any outside text.
    `${opened ? "Opening your browser. If it does not open, visit" : "Open this address in a browser to log in"}:\n  ${escapeControl(url)}\n`,
  );
}

/** Starts the platform's opener detached; false when there is none (no desktop session) or it cannot start. */
function openBrowser(url: string): boolean {
  const opener =
    process.platform === "darwin"
      ? { cmd: "open", args: [url] }
      : process.platform === "win32"
        ? { cmd: "cmd", args: ["/c", "start", '""', url.replaceAll("&", "^&")] }
        : process.env.DISPLAY || process.env.WAYLAND_DISPLAY
          ? { cmd: "xdg-open", args: [url] }
          : null;
  if (!opener) return false;
  try {
    // A browser outlives us and runs anything: it inherits nothing that unlocks the store.
    const child = spawn(opener.cmd, opener.args, {
      detached: true,
      stdio: "ignore",
      env: childEnvironment(process.env),
    });
    child.on("error", () => process.stderr.write("(Could not start a browser.)\n"));
    child.unref();
    return true;
  } catch {
    return false;
  }
}
