import type { Command } from "commander";
import type { Action } from "../action.ts";
import { checkProfileArgument } from "../io/arguments.ts";
import { UsageError } from "../io/errors.ts";
import { table } from "../io/output.ts";

export function registerProfileCommands(program: Command, action: Action): void {
  const profile = program.command("profile").description("named sets of keys (dev, staging, prod, a team…)");

  profile
    .command("create <name>")
    .description("create a profile")
    .action(
      action(async (ctx, name: string) => {
        await (await ctx.app()).profiles.create(name);
        ctx.out.result(
          { profile: name },
          () => `Created profile ${name}. Add keys with: apikey --profile ${name} add NAME`,
        );
      }),
    );

  profile
    .command("list")
    .alias("ls")
    .description("list profiles and their active keys")
    .action(
      action(async (ctx) => {
        const profiles = await (await ctx.app()).profiles.list();
        ctx.out.result(profiles, () =>
          profiles.length === 0
            ? "No profiles yet; `default` is created with the first key."
            : table(
                ["PROFILE", "ACTIVE KEY", "KEYS"],
                profiles.map((p) => [p.name, p.activeKey ?? "-", String(p.keyCount)]),
              ),
        );
      }),
    );

  profile
    .command("set <name>")
    .description("change a profile's settings")
    .option(
      "--gateway-only",
      "its keys are meant for `apikey proxy` only: usage Anthropic reports without the gateway recording it is a finding",
    )
    .option("--no-gateway-only", "its keys may be used anywhere (the default)")
    .action(
      action(async (ctx, name: string, opts: { gatewayOnly?: boolean }) => {
        checkProfileArgument(name);
        if (opts.gatewayOnly === undefined) {
          throw new UsageError("Nothing to set: pass --gateway-only or --no-gateway-only.");
        }
        const r = await (await ctx.app()).profiles.setGatewayOnly(name, opts.gatewayOnly);
        ctx.out.result(r, () =>
          !r.changed
            ? `Profile ${name} already is ${r.gatewayOnly ? "gateway-only" : "not gateway-only"}.`
            : r.gatewayOnly
              ? `Profile ${name} is gateway-only: \`apikey usage check\` reports usage of its keys that did not go through the gateway.`
              : `Profile ${name} is no longer gateway-only.`,
        );
      }),
    );

  profile
    .command("delete <name>")
    .alias("rm")
    .description("delete an empty profile")
    .action(
      action(async (ctx, name: string) => {
        checkProfileArgument(name);
        await (await ctx.app()).profiles.delete(name);
        ctx.out.result({ profile: name }, () => `Deleted profile ${name}.`);
      }),
    );
}
