import { ApikeyError, ERROR_CODES } from "@apikey/core/errors";
import {
  DEFAULT_GATEWAY_PORT,
  ensureGatewayToken,
  isLoopbackHost,
  rotateGatewayToken,
  startGateway,
} from "@apikey/gateway";
import type { Command } from "commander";
import { UsageError } from "../io/errors.ts";
import type { Action } from "../program.ts";

// `apikey proxy`: the local Anthropic gateway, and `apikey proxy token`, which prints the token clients send
// to it (printed by design, like `current`: it is what you paste into a client's ANTHROPIC_API_KEY).

interface ProxyOptions {
  port: string;
  host: string;
  allowRemote?: boolean;
}

export function registerProxyCommands(program: Command, action: Action): void {
  const proxy = program
    .command("proxy")
    .description("run a local Anthropic API gateway that swaps in the active key and records usage")
    .option("--port <port>", "port to listen on (0 = any free port)", String(DEFAULT_GATEWAY_PORT))
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--allow-remote", "allow a non-loopback --host (clients must then send the gateway token)")
    .action(
      action(async (ctx, opts: ProxyOptions) => {
        const port = parsePort(opts.port);
        // Refused before the store is opened: a refused start must not create (and audit) a gateway token.
        if (!opts.allowRemote && !isLoopbackHost(opts.host)) {
          throw new ApikeyError(
            ERROR_CODES.PROXY_UNSAFE_HOST,
            "Refusing to listen on a non-loopback address: only loopback addresses are allowed by default.",
            {
              hint: "Anyone who can reach that address could spend your keys. If you mean it, add --allow-remote (clients then need the gateway token).",
            },
          );
        }
        const vault = await ctx.vault();
        const profile = await vault.store.profiles.get(ctx.profile);
        if (!profile && ctx.profile !== "default") {
          throw new ApikeyError(ERROR_CODES.PROFILE_NOT_FOUND, `No profile named "${ctx.profile}".`, {
            hint: "See `apikey profile list`.",
          });
        }
        const { token, created } = await ensureGatewayToken(vault);
        const gateway = await startGateway({
          vault,
          profile: ctx.profile,
          port,
          host: opts.host,
          allowRemote: opts.allowRemote === true,
          token,
          log: (line) => process.stderr.write(`${line}\n`),
        });
        const upstream = vault.config.anthropicBaseUrl ?? "https://api.anthropic.com";
        ctx.out.result(
          { url: gateway.url, host: gateway.host, port: gateway.port, profile: ctx.profile, upstream },
          () =>
            [
              `apikey gateway listening on ${gateway.url} (profile ${ctx.profile}, upstream ${upstream})`,
              "Point Anthropic clients at it:",
              `  export ANTHROPIC_BASE_URL=${gateway.url}`,
              `  export ANTHROPIC_API_KEY="$(apikey${ctx.profile === "default" ? "" : ` --profile ${ctx.profile}`} proxy token)"`,
              "Ctrl-C to stop.",
            ].join("\n"),
        );
        if (created) ctx.out.note("A new gateway token was created; `apikey proxy token` prints it.");
        if (profile?.activeKeyId == null) {
          ctx.out.warn(
            `Profile "${ctx.profile}" has no active key yet; requests fail until you \`apikey use NAME\`.`,
          );
        }
        if (opts.allowRemote && gateway.host !== "127.0.0.1" && gateway.host !== "::1") {
          ctx.out.warn(
            "Listening beyond this machine over plain HTTP: the gateway token crosses the network in clear.",
          );
        }
        await untilSignalled(() =>
          ctx.out.note("Stopping: letting in-flight requests finish (Ctrl-C again to force)."),
        );
        await gateway.close({ graceMs: 10_000 });
        return 0;
      }),
    );

  proxy
    .command("token")
    .description("print the gateway token (created on first use); --rotate replaces it")
    .option("--rotate", "make a new token; clients holding the old one get 401")
    .action(
      action(async (ctx, opts: { rotate?: boolean }) => {
        const vault = await ctx.vault();
        const token = opts.rotate ? await rotateGatewayToken(vault) : (await ensureGatewayToken(vault)).token;
        if (ctx.out.json) ctx.out.result({ token, rotated: opts.rotate === true }, () => "");
        else process.stdout.write(`${token}\n`);
      }),
    );
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d{1,5}$/.test(value) || port > 65_535) {
    throw new UsageError("--port must be a number from 0 to 65535.");
  }
  return port;
}

/** Resolves on the first SIGINT or SIGTERM; a second one exits at once. */
function untilSignalled(onFirst: () => void): Promise<void> {
  return new Promise((resolve) => {
    const first = (signal: NodeJS.Signals) => {
      process.off("SIGINT", first);
      process.off("SIGTERM", first);
      process.once("SIGINT", () => process.exit(130));
      process.once("SIGTERM", () => process.exit(143));
      if (signal === "SIGINT") onFirst();
      resolve();
    };
    process.on("SIGINT", first);
    process.on("SIGTERM", first);
  });
}
