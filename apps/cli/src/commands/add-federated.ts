import { type AddKeyResult, preflightFederated } from "@apikey/core";
import type { Command } from "commander";
import type { Context } from "../context.ts";
import { UsageError } from "../io/errors.ts";

// `apikey add NAME --federated …`: a Workload Identity Federation key. Nothing secret is asked for or stored — the
// flags say which rule and where the workload's identity token is read at each exchange (a file or a variable,
// named, never its content).

export interface FederatedFlags {
  federated?: boolean;
  rule?: string;
  org?: string;
  serviceAccount?: string;
  workspace?: string;
  baseUrl?: string;
  identityTokenFile?: string;
  identityTokenEnv?: string;
  identityTokenCommand?: string;
  identityTokenGithubActions?: boolean;
  audience?: string;
}

const FEDERATION_ONLY = [
  "rule",
  "org",
  "serviceAccount",
  "workspace",
  "baseUrl",
  "identityTokenFile",
  "identityTokenEnv",
  "identityTokenCommand",
  "identityTokenGithubActions",
  "audience",
] as const;

export function federatedOptions(cmd: Command): Command {
  return cmd
    .option("--federated", "a Workload Identity Federation key: no secret stored, tokens minted on use")
    .option("--rule <fdrl_id>", "federated: the federation rule (fdrl_…)")
    .option("--org <organization_id>", "federated: the organization id")
    .option("--service-account <svac_id>", "federated: the service account (svac_…)")
    .option(
      "--workspace <wrkspc_id>",
      "federated: the workspace the tokens are scoped to (wrkspc_… or default)",
    )
    .option(
      "--base-url <url>",
      "federated: the API host to exchange at (default: ANTHROPIC_BASE_URL, else the official one)",
    )
    .option("--identity-token-file <path>", "federated: the identity token file, re-read at each exchange")
    .option("--identity-token-env <name>", "federated: the variable holding the identity token")
    .option(
      "--identity-token-command <command>",
      "federated: a command that prints the identity token, run without a shell at each exchange",
    )
    .option(
      "--identity-token-github-actions",
      "federated: ask GitHub Actions' OIDC endpoint at each exchange (job needs id-token: write)",
    )
    .option("--audience <aud>", "federated, with --identity-token-github-actions: the token's audience");
}

/** Refuses federation flags without --federated (a forgotten flag must not silently store something else). */
export function checkFederatedFlags(opts: FederatedFlags): void {
  if (opts.federated) return;
  const stray = FEDERATION_ONLY.find((f) => opts[f] !== undefined);
  if (stray)
    throw new UsageError(
      `--${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs --federated.`,
      "apikey add NAME --federated --rule fdrl_… --org ORG --identity-token-file PATH",
    );
}

export async function addFederated(
  ctx: Context,
  name: string,
  opts: FederatedFlags & { validate: boolean; fromEnv?: boolean },
): Promise<AddKeyResult> {
  if (opts.fromEnv)
    throw new UsageError(
      "--from-env and --federated do not go together.",
      "A federated key has no secret to import.",
    );
  // Checked, and exchanged once, before the store is opened: a refusal leaves no trace.
  const input = {
    ruleId: opts.rule,
    organizationId: opts.org,
    serviceAccountId: opts.serviceAccount,
    workspaceId: opts.workspace,
    baseUrl: opts.baseUrl,
    identityTokenFile: opts.identityTokenFile,
    identityTokenEnv: opts.identityTokenEnv,
    identityTokenCommand: opts.identityTokenCommand,
    identityTokenGithubActions: opts.identityTokenGithubActions,
    audience: opts.audience,
  };
  const checked = await preflightFederated(ctx.config, input, opts.validate);
  return (await ctx.app()).keys.addFederated({ name, profile: ctx.profile, ...checked });
}
