import {
  ApikeyError,
  DEFAULT_TOKEN_NAME,
  ERROR_CODES,
  formatUsd,
  isApikeyError,
  journalDirIn,
  parseExpiry,
  parseUsd,
  type TokenView,
} from "@apikey/core";
import { checkListenHost, DEFAULT_GATEWAY_PORT, isLoopbackHost } from "@apikey/gateway";
import type { Command } from "commander";
import type { Action } from "../action.ts";
import { showGroupHelp } from "../help/setup.ts";
import { batchedLines } from "../io/batched-lines.ts";
import { UsageError } from "../io/errors.ts";
import { ago, table } from "../io/output.ts";

// `apikey proxy`: the local Anthropic gateway; `apikey proxy token …`: the tokens people and apps send to it.
// A token is printed once, when it is made (it is what goes into a client's ANTHROPIC_API_KEY); the store keeps
// only a keyed hash of it.

interface ProxyOptions {
  port: string;
  host: string;
  allowRemote?: boolean;
}

interface CreateOptions {
  budget?: string;
  block?: boolean;
  expires?: string;
  models?: string;
}

export function registerProxyCommands(program: Command, action: Action): void {
  const proxy = program
    .command("proxy")
    .description("run a local Anthropic API gateway that swaps in each token's active key and records usage")
    .option("--port <port>", "port to listen on (0 = any free port)", String(DEFAULT_GATEWAY_PORT))
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--allow-remote", "allow a non-loopback --host (clients still need a gateway token)")
    .action(
      action(async (ctx, opts: ProxyOptions) => {
        const port = parsePort(opts.port);
        // Refused before the store is opened: a refused start must not touch the store (or adopt a token).
        checkListenHost(opts.host, opts.allowRemote === true);
        const app = await ctx.app();
        // The gateway's server code loads here, not with the program: every other command starts without it (issue 25).
        const { startGateway } = await import("@apikey/gateway");
        // startGateway refuses an unknown profile before it adopts a legacy token or listens.
        const requestLog = batchedLines((text) => process.stderr.write(text));
        // A second Ctrl-C exits at once: the lines still waiting go out on the way.
        process.once("exit", requestLog.flush);
        const gateway = await startGateway({
          app,
          profile: ctx.profile,
          port,
          host: opts.host,
          allowRemote: opts.allowRemote === true,
          // Usage is journaled beside the store's files and folded into the store a moment later; a gateway
          // killed before folding leaves its journal to the next one started here, or to the next read of usage.
          usageJournal: journalDirIn(ctx.config.dataDir),
          log: requestLog.log,
          warn: (line) => {
            requestLog.flush();
            process.stderr.write(`${line}\n`);
          },
        });
        const upstream = ctx.config.anthropicBaseUrl ?? "https://api.anthropic.com";
        ctx.out.result(
          { url: gateway.url, host: gateway.host, port: gateway.port, profile: ctx.profile, upstream },
          () =>
            [
              `apikey gateway listening on ${gateway.url} (profile ${ctx.profile}, upstream ${upstream})`,
              "Point Anthropic clients at it, each with its own gateway token:",
              `  export ANTHROPIC_BASE_URL=${gateway.url}`,
              "  export ANTHROPIC_API_KEY=<the token `apikey proxy token create NAME` printed>",
              "Ctrl-C to stop.",
            ].join("\n"),
        );
        if ((await app.tokens.list()).length === 0) {
          ctx.out.note("No gateway token yet: `apikey proxy token create NAME` makes one (printed once).");
        }
        if (gateway.activeKey === null) {
          ctx.out.warn(
            `Profile "${ctx.profile}" has no active key yet; its requests fail until you \`apikey use NAME\`.`,
          );
        }
        if (opts.allowRemote && !isLoopbackHost(gateway.host)) {
          ctx.out.warn(
            "Listening beyond this machine over plain HTTP: gateway tokens cross the network in clear.",
          );
        }
        await untilSignalled(() =>
          ctx.out.note("Stopping: letting in-flight requests finish (Ctrl-C again to force)."),
        );
        await gateway.close({ graceMs: 10_000 });
        requestLog.flush();
        return 0;
      }),
    );

  // Alone it shows its help, like every other group: making a token (no expiry, no budget) takes `create NAME`.
  const rotateDefault = action(async (ctx, _opts: unknown, _cmd: Command) => {
    const app = await ctx.app();
    return printToken(ctx, await app.tokens.rotate(DEFAULT_TOKEN_NAME));
  });
  const token = proxy
    .command("token")
    .description("gateway tokens: `create`, `list`, `revoke`, `rotate`")
    .option("--rotate", "replace the `default` token (same as `token rotate default`)")
    .allowExcessArguments(true)
    .action(async (opts: { rotate?: boolean }, cmd: Command) => {
      if (opts.rotate) return rotateDefault(opts, cmd);
      showGroupHelp(cmd);
    });

  token
    .command("create <name>")
    .description("make a token for a person or app, bound to --profile (printed once)")
    .option("--budget <usd>", "monthly budget in US dollars for this token")
    .option("--block", "refuse this token's requests past its budget (default: warn only)")
    .option("--expires <when>", "expiry: a duration like 30d, 12h, 90m, or a date like 2027-01-31")
    .option("--models <list>", "comma-separated model ids it may use (a trailing * matches a prefix)")
    .action(
      action(async (ctx, name: string, opts: CreateOptions, cmd: Command) => {
        const app = await ctx.app();
        const created = await app.tokens
          .create({
            name,
            profile: profileGiven(cmd) ? ctx.profile : null,
            budgetUsd: opts.budget === undefined ? null : parseUsd(opts.budget),
            block: opts.block === true,
            expiresAt: opts.expires === undefined ? null : parseExpiry(opts.expires, new Date()),
            models: opts.models === undefined ? null : opts.models.split(","),
          })
          .catch((err: unknown) => {
            throw withTokenHint(err);
          });
        if (opts.block && opts.budget === undefined) ctx.out.warn("--block has no effect without --budget.");
        printToken(ctx, created);
      }),
    );

  token
    .command("list")
    .description("every gateway token: profile, dates, month spend and budget (never the token itself)")
    .option("--all", "include revoked tokens")
    .action(
      action(async (ctx, opts: { all?: boolean }) => {
        const app = await ctx.app();
        const tokens = await app.tokens.list({ includeRevoked: opts.all === true });
        ctx.out.result(tokens, () => renderList(tokens));
      }),
    );

  token
    .command("revoke <name>")
    .description("revoke a token: every running gateway refuses it from its next request on")
    .action(
      action(async (ctx, name: string) => {
        const app = await ctx.app();
        const view = await app.tokens.revoke(name).catch((err: unknown) => {
          throw withTokenHint(err);
        });
        ctx.out.result(view, () => `Revoked gateway token "${view.name}".`);
      }),
    );

  token
    .command("rotate <name>")
    .description("replace a token's value, keeping its name, settings and usage (printed once)")
    .action(
      action(async (ctx, name: string) => {
        const app = await ctx.app();
        printToken(
          ctx,
          await app.tokens.rotate(name).catch((err: unknown) => {
            throw withTokenHint(err);
          }),
        );
      }),
    );
}

type Ctx = Parameters<Parameters<Action>[0]>[0];

/** The token on stdout alone (so `$(apikey proxy token create NAME)` works), or in the JSON result. */
function printToken(ctx: Ctx, created: { token: string; view: TokenView }): void {
  if (ctx.out.json) ctx.out.result({ token: created.token, ...created.view }, () => "");
  else {
    process.stdout.write(`${created.token}\n`);
    ctx.out.note(
      `Gateway token "${created.view.name}" (profile ${created.view.profile ?? "of the gateway"}): shown this once; the store keeps only a hash.`,
    );
  }
}

function renderList(tokens: TokenView[]): string {
  if (tokens.length === 0) return "No gateway tokens. Make one with `apikey proxy token create NAME`.";
  const date = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : "-");
  return table(
    ["NAME", "PROFILE", "STATE", "CREATED", "EXPIRES", "LAST USED", "MONTH SPEND / BUDGET", "MODELS"],
    tokens.map((t) => [
      t.name,
      t.profile ?? "(gateway's)",
      t.state,
      date(t.createdAt),
      date(t.expiresAt),
      ago(t.lastUsedAt?.toISOString() ?? null),
      `${formatUsd(t.monthSpendUsd)} / ${t.budgetUsd === null ? "-" : `${formatUsd(t.budgetUsd)}${t.budgetMode === "block" ? " (block)" : ""}`}`,
      t.models?.join(",") ?? "any",
    ]),
  );
}

/** Whether --profile was given (else the token follows the profile of the gateway it is used with). */
function profileGiven(cmd: Command): boolean {
  let root: Command = cmd;
  while (root.parent) root = root.parent;
  return root.getOptionValueSource("profile") === "cli";
}

function withTokenHint(err: unknown): unknown {
  if (!isApikeyError(err)) return err;
  const hints: Partial<Record<string, string>> = {
    [ERROR_CODES.TOKEN_NOT_FOUND]: "See the tokens with `apikey proxy token list`.",
    [ERROR_CODES.NAME_TAKEN]: "Pick another name, or `apikey proxy token rotate NAME` to replace its value.",
    [ERROR_CODES.PROFILE_NOT_FOUND]: "See `apikey profile list`.",
  };
  const hint = hints[err.code];
  return hint === undefined ? err : new ApikeyError(err.code, err.message, { hint, details: err.details });
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
